import { sql } from 'drizzle-orm';
import { approvalProgress, approvalRefusal } from '../../domain/approval-chain.js';
import { pendingLimitReached, type PendingLimits } from '../../domain/access-rules.js';
import { signCheckpoint, type AuditKey } from '../../domain/audit-chain.js';
import { extensionVoid } from '../../domain/extension-rules.js';
import type { RevokeReason } from '../../domain/states.js';
import * as auditForwarding from './audit-forwarding.js';
import { appendAudit, auditEventAt, auditHead, listAuditEvents, verifyAuditChain } from './audit-log.js';
import { breakGlassTransactions } from './break-glass-store.js';
import type { Db, OpenPostgres } from './database.js';
import { driftTransactions } from './drift-store.js';
import { exceptionTransactions } from './exception-store.js';
import { grantCreated, grantExtended, requestCreated } from './granting.js';
import * as grants from './grants.js';
import * as homeViewers from './home-viewers.js';
import * as leases from './leases.js';
import { revocationClaim } from '../revocation-claim.js';
import * as policyVersions from './policy-versions.js';
import * as requests from './requests.js';
import { reviewTransactions } from './review-store.js';
import type { GrantRow, RequestRow } from './schema.js';
import * as slackDeliveries from './slack-deliveries.js';
import { writeTransaction } from './transaction.js';
import {
  AUDIT_START,
  type ApproveInput,
  type ApproveOutcome,
  type AuditEvent,
  type AuditFilter,
  type CreateWithinLimits,
  type GrantFilter,
  type NewRequest,
  type PageCursor,
  type PendingKind,
  type Position,
  type RequestFilter,
  type Revocation,
  type RevokeScope,
  type Store,
} from '../store.js';

/**
 * The store on PostgreSQL, shared by every replica. Each state change is a write transaction
 * (transaction.ts): serialized with every other writer, as on SQLite, so the use cases above
 * behave the same on both.
 */
export function createPostgresStore(database: OpenPostgres, { auditKey }: { auditKey: AuditKey }): Store {
  const { db } = database;
  const transaction = writeTransaction(db);

  /** A request row and its `request.created` event. */
  async function insertRequest(tx: Db, request: NewRequest): Promise<RequestRow> {
    const row = await requests.insertRequest(tx, request);
    await requestCreated(tx, auditKey, row);
    return row;
  }

  /** Several revocations in one transaction, each with its own audit event; undefined where already revoked. */
  const markRevokedMany = (revocations: readonly Revocation[]) =>
    transaction(async (tx) => {
      const revoked: (GrantRow | undefined)[] = [];
      for (const { grantId, reason, by, at, coveredBy } of revocations) {
        const row = await grants.markRevoked(tx, grantId, reason, by, at);
        if (row) {
          await appendAudit(tx, auditKey, {
            at,
            actor: by,
            action: 'grant.revoked',
            subjectType: 'grant',
            subjectId: grantId,
            resource: row.resource,
            reason,
            details: { user_id: row.userId, expires_at: row.expiresAt, lateness_ms: at - row.expiresAt, ...(coveredBy ? { still_covered_by: coveredBy } : {}) },
          });
        }
        revoked.push(row);
      }
      return revoked;
    });

  return {
    kind: 'postgres',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => database.close(),
    ...exceptionTransactions(db, transaction, auditKey),
    ...reviewTransactions(db, transaction, auditKey),
    ...driftTransactions(db, transaction, auditKey),
    ...breakGlassTransactions(db, transaction, auditKey),

    findRequest: (id: string) => requests.findRequest(db, id),
    pendingExtensionOf: (grantId: string) => requests.pendingExtensionOf(db, grantId),
    approvalsOf: (requestId: string) => requests.approvalsOf(db, requestId),
    pendingRequestsOf: (userId: string) => requests.pendingRequestsOf(db, userId),
    requestsSince: (since: number) => requests.requestsSince(db, since),
    listRequests: (filter: RequestFilter, after: PageCursor | undefined, limit: number) => requests.listRequests(db, filter, after, limit),
    pendingWithoutApprovalMessage: (createdBefore: number, limit: number) => requests.pendingWithoutApprovalMessage(db, createdBefore, limit),
    pendingCreatedBefore: (createdBefore: number, limit: number) => requests.pendingCreatedBefore(db, createdBefore, limit),
    pendingKinds: () => requests.pendingKinds(db),
    pendingOfKind: (kind: PendingKind) => requests.pendingOfKind(db, kind),
    pendingRequestTimers: (afterCreatedAt: number, afterId: string, limit: number) => requests.pendingRequestTimers(db, afterCreatedAt, afterId, limit),
    dueForEscalation: (resource: string, createdBefore: number, limit: number) => requests.dueForEscalation(db, resource, createdBefore, limit),
    setApprovalMessage: (id: string, channel: string, ts: string) => requests.setApprovalMessage(db, id, channel, ts),

    findGrant: (id: string) => grants.findGrant(db, id),
    activeGrantsOf: (userId: string) => grants.activeGrantsOf(db, userId),
    outlastingGrantsOf: (userId: string, now: number, exceptId: string) => grants.outlastingGrantsOf(db, userId, now, exceptId),
    liveGrantSetups: () => grants.liveGrantSetups(db),
    liveGrants: () => grants.liveGrants(db),
    listGrants: (filter: GrantFilter, after: PageCursor | undefined, limit: number) => grants.listGrants(db, filter, after, limit),
    grantsDueForRevocation: (now: number, limit: number) => grants.grantsDueForRevocation(db, now, limit),
    grantsNeverQueued: (grantedBefore: number, now: number, limit: number) => grants.grantsNeverQueued(db, grantedBefore, now, limit),
    activeGrantTimers: (afterExpiresAt: number, afterId: string, limit: number) => grants.activeGrantTimers(db, afterExpiresAt, afterId, limit),
    noteRevokeError: (grantId: string, error: string) => grants.noteRevokeError(db, grantId, error),
    claimRevokeAlert: (grantId: string, at: number) => grants.claimRevokeAlert(db, grantId, at),
    claimRevocation: async (grantId, { holder, at, until }) => {
      const taken = await grants.claimRevocation(db, grantId, holder, until, at);
      return revocationClaim(taken, taken ? undefined : await grants.findGrant(db, grantId), at);
    },
    releaseRevocationClaim: (grantId, holder) => grants.releaseRevocationClaim(db, grantId, holder),
    holdLease: (name, holder, ttlMs, now) => leases.holdLease(db, name, holder, ttlMs, now),
    releaseLease: (name, holder) => leases.releaseLease(db, name, holder),
    setRevokeAlertMessage: (grantId: string, channel: string, ts: string, at: number) => grants.setRevokeAlertMessage(db, grantId, channel, ts, at),

    listAuditEvents: (filter: AuditFilter, afterSeq: number, limit: number) => listAuditEvents(db, filter, afterSeq, limit),
    auditEventAt: (seq: number) => auditEventAt(db, seq),
    auditHead: () => auditHead(db),
    verifyAuditChain: () => verifyAuditChain(db, auditKey),
    auditCheckpoint: (position: Position, at: number) => signCheckpoint(auditKey, { seq: position.seq, head_hash: position.hash, at: new Date(at).toISOString() }),
    auditPosition: (stream: string) => auditForwarding.deliveredPosition(db, auditKey, stream),
    markAuditDelivered: (stream: string, position: Position, at: number) => auditForwarding.markDelivered(db, auditKey, stream, position, at),
    noteAuditDeliveryError: (stream: string, error: string, at: number) => auditForwarding.noteDeliveryError(db, auditKey, stream, error, at),

    policyText: (version: string) => policyVersions.policyText(db, version),
    rememberPolicy: (version: string, text: string, at: number) => policyVersions.rememberPolicy(db, version, text, at),
    homeOpened: (userId: string, at: number) => homeViewers.noteHomeOpened(db, userId, at),
    homeViewersSince: (since: number) => homeViewers.homeViewersSince(db, since),

    resumeAuditForwarding: (stream: string, afterSeq: number, by: string, at: number) =>
      transaction(async (tx) => {
        const event = afterSeq === 0 ? undefined : await auditEventAt(tx, afterSeq);
        if (afterSeq !== 0 && !event) return undefined;
        const position = event ? { seq: event.seq, hash: event.hash } : AUDIT_START;
        const before = await auditForwarding.storedSeq(tx, stream);
        await auditForwarding.markDelivered(tx, auditKey, stream, position, at);
        await appendAudit(tx, auditKey, { at, actor: by, action: 'audit.forwarding_resumed', subjectType: 'system', subjectId: stream, details: { after_seq: position.seq, stored_seq_before: before ?? null } });
        return position;
      }),

    markEscalated: (id: string, to: readonly string[], at: number) =>
      transaction(async (tx) => {
        const row = await requests.markEscalated(tx, id, at);
        if (row) await appendAudit(tx, auditKey, { at, actor: 'jitbot', action: 'request.escalated', subjectType: 'request', subjectId: id, resource: row.resource, details: { to } });
        return row;
      }),

    policyChanged: (change: { from: string; to: string; text: string; at: number; details: Record<string, unknown> }) =>
      transaction(async (tx) => {
        await policyVersions.rememberPolicy(tx, change.to, change.text, change.at);
        await appendAudit(tx, auditKey, { at: change.at, actor: 'jitbot', action: 'policy.changed', subjectType: 'policy', subjectId: change.to, details: { from_version: change.from, ...change.details } });
      }),

    /** Not audited: serialized by a lock of its own (slack-deliveries.ts), not the chain head. */
    async firstDelivery(keys: readonly string[], at: number, forgetBefore: number) {
      if (keys.length === 0) return true;
      return db.transaction(async (tx) => {
        await slackDeliveries.lockDeliveries(tx);
        await slackDeliveries.forgetDeliveriesBefore(tx, forgetBefore);
        if (await slackDeliveries.anyDeliverySeen(tx, keys)) return false;
        await slackDeliveries.noteDeliveries(tx, keys, at);
        return true;
      });
    },

    requestEndAll: (input: { scope: RevokeScope; by: string; at: number; reason: string; details: Record<string, unknown> }) =>
      transaction(async (tx) => {
        const ending = await grants.requestEndIn(tx, input.scope, input.by, input.at);
        for (const grant of ending) {
          await appendAudit(tx, auditKey, { at: input.at, actor: input.by, action: 'grant.revoke_requested', subjectType: 'grant', subjectId: grant.id, resource: grant.resource, reason: 'revoked', details: { revoke_all: true } });
        }
        await appendAudit(tx, auditKey, { at: input.at, actor: input.by, action: 'incident.revoke_all', subjectType: 'system', subjectId: 'revoke-all', resource: input.scope.resource ?? null, reason: input.reason, details: { ...input.details, grants: ending.length } });
        return ending;
      }),

    recordEvent: (event: AuditEvent) => transaction((tx) => appendAudit(tx, auditKey, event)),

    createRequest: (request: NewRequest) => transaction((tx) => insertRequest(tx, request)),

    createRequestWithinLimits: (request: NewRequest, limits: PendingLimits) =>
      transaction(async (tx): Promise<CreateWithinLimits> => {
        const limit = pendingLimitReached(await requests.pendingCounts(tx, request.requesterId, request.resource), limits);
        return limit ? { kind: 'limit_reached', limit } : { kind: 'created', request: await insertRequest(tx, request) };
      }),

    approve: (input: ApproveInput) =>
      transaction(async (tx): Promise<ApproveOutcome> => {
        const request = await requests.findRequest(tx, input.requestId);
        if (!request) return { kind: 'not_found' };
        if (request.status !== 'pending') return { kind: 'not_pending', request };
        const extending = request.extendsGrantId === null ? undefined : await grants.findGrant(tx, request.extendsGrantId);
        const voided = request.extendsGrantId === null ? undefined : extensionVoid(extending, input.at, input.maxExtensions);
        if (voided) {
          const withdrawn = await requests.closePendingRequest(tx, request.id, 'cancelled', 'jitbot', input.at);
          await appendAudit(tx, auditKey, { at: input.at, actor: 'jitbot', action: 'request.cancelled', subjectType: 'request', subjectId: request.id, resource: request.resource, reason: voided });
          return { kind: 'withdrawn', request: withdrawn ?? request, reason: voided };
        }
        const approvals = await requests.approvalsOf(tx, request.id);
        const before = approvalProgress(input.stages, approvals);
        const refusal = approvalRefusal({
          approverId: input.approverId,
          requesterId: request.requesterId,
          selfApproval: input.selfApproval,
          approvals,
          isStageApprover: input.approverStages.has(before.stage),
        });
        const base = { at: input.at, actor: input.approverId, subjectType: 'request' as const, subjectId: request.id, resource: request.resource };
        if (refusal) {
          await appendAudit(tx, auditKey, { ...base, action: 'decision.refused', reason: refusal, details: { decision: 'approve', stage: before.stage } });
          return { kind: 'refused', refusal, request };
        }
        await requests.insertApproval(tx, request.id, input.approverId, before.stage, input.at);
        const after = approvalProgress(input.stages, [...approvals, { approverId: input.approverId, stage: before.stage }]);
        await appendAudit(tx, auditKey, { ...base, action: 'request.approval_recorded', details: { stage: before.stage, complete: after.complete } });
        if (!after.complete) return { kind: 'recorded', request, progress: after };

        const approved = await requests.closePendingRequest(tx, request.id, 'approved', input.approverId, input.at);
        if (!approved) return { kind: 'not_pending', request };
        if (extending) {
          const extended = await grants.extend(tx, { id: extending.id, from: extending.expiresAt, byMs: approved.durationMs, maxExtensions: input.maxExtensions, at: input.at });
          if (!extended) throw new Error(`grant ${extending.id} could not be extended inside the approving transaction`);
          await appendAudit(tx, auditKey, { ...base, action: 'request.approved' });
          await grantExtended(tx, auditKey, extending.expiresAt, extended, input.approverId, input.at, { request_id: approved.id });
          return { kind: 'extended', request: approved, grant: extended };
        }
        const grant = await grants.insertGrant(tx, input.newGrant(approved));
        await appendAudit(tx, auditKey, { ...base, action: 'request.approved' });
        await grantCreated(tx, auditKey, grant, input.approverId, input.at);
        return { kind: 'approved', request: approved, grant };
      }),

    closeRequest: (id: string, to: 'denied' | 'cancelled' | 'lapsed', by: string, at: number, reason?: string) =>
      transaction(async (tx) => {
        const row = await requests.closePendingRequest(tx, id, to, by, at);
        if (row) await appendAudit(tx, auditKey, { at, actor: by, action: `request.${to}`, subjectType: 'request', subjectId: id, resource: row.resource, reason: reason ?? null });
        return row;
      }),

    markProvisioned: (grantId: string, at: number) =>
      transaction(async (tx) => {
        const row = await grants.markProvisioned(tx, grantId, at);
        if (row) await appendAudit(tx, auditKey, { at, actor: 'jitbot', action: 'grant.provisioned', subjectType: 'grant', subjectId: grantId, resource: row.resource });
        return row;
      }),

    markProvisionFailed: (grantId: string, error: string, at: number, final: boolean) =>
      transaction(async (tx) => {
        const row = await grants.markProvisionFailed(tx, grantId, error, final);
        if (row && final) await appendAudit(tx, auditKey, { at, actor: 'jitbot', action: 'grant.provision_failed', subjectType: 'grant', subjectId: grantId, resource: row.resource, reason: error });
        return row;
      }),

    requestEnd: (grantId: string, reason: RevokeReason, by: string, at: number) =>
      transaction(async (tx) => {
        const row = await grants.requestEnd(tx, grantId, reason, by, at);
        if (row) await appendAudit(tx, auditKey, { at, actor: by, action: `grant.${reason === 'released' ? 'release' : 'revoke'}_requested`, subjectType: 'grant', subjectId: grantId, resource: row.resource, reason });
        return row;
      }),

    markRevoked: async (grantId: string, reason: RevokeReason, by: string, at: number) => (await markRevokedMany([{ grantId, reason, by, at }]))[0],
    markRevokedMany,

    markGrantWarned: (grantId: string, at: number) =>
      transaction(async (tx) => {
        const row = await grants.markWarned(tx, grantId, at);
        if (row) await appendAudit(tx, auditKey, { at, actor: 'jitbot', action: 'grant.closing_soon', subjectType: 'grant', subjectId: grantId, resource: row.resource, details: { expires_at: row.expiresAt } });
        return row;
      }),

    extendGrant: (input: { grantId: string; from: number; byMs: number; maxExtensions: number; by: string; at: number }) =>
      transaction(async (tx) => {
        const row = await grants.extend(tx, { id: input.grantId, from: input.from, byMs: input.byMs, maxExtensions: input.maxExtensions, at: input.at });
        if (row) await grantExtended(tx, auditKey, input.from, row, input.by, input.at);
        return row;
      }),

    markRevokeFailed: (grantId: string, error: string, at: number) =>
      transaction(async (tx) => {
        const row = await grants.markRevokeFailed(tx, grantId, error);
        if (row) await appendAudit(tx, auditKey, { at, actor: 'jitbot', action: 'grant.revoke_failed', subjectType: 'grant', subjectId: grantId, resource: row.resource, reason: error });
        return row;
      }),
  };
}
