import { approvalProgress, approvalRefusal } from '../../domain/approval-chain.js';
import { pendingLimitReached, type PendingLimits } from '../../domain/access-rules.js';
import { extensionVoid } from '../../domain/extension-rules.js';
import type { RevokeReason } from '../../domain/states.js';
import { signCheckpoint, type AuditKey } from '../../domain/audit-chain.js';
import { appendAudit, auditEventAt, auditHead, listAuditEvents, useAuditKey, verifyAuditChain } from './audit-log.js';
import type { Db, OpenDatabase, Transaction } from './database.js';
import { exceptionTransactions } from './exception-store.js';
import { grantCreated, grantExtended, requestCreated } from './granting.js';
import * as auditForwarding from './audit-forwarding.js';
import * as grants from './grants.js';
import * as homeViewers from './home-viewers.js';
import * as leases from './leases.js';
import { revocationClaim } from '../revocation-claim.js';
import * as policyVersions from './policy-versions.js';
import * as requests from './requests.js';
import * as slackDeliveries from './slack-deliveries.js';
import { reviewTransactions } from './review-store.js';
import { driftTransactions } from './drift-store.js';
import { breakGlassTransactions } from './break-glass-store.js';
import type { RequestRow } from './schema.js';
import { AUDIT_START, type ApproveInput, type ApproveOutcome, type AuditEvent, type AuditFilter, type CreateWithinLimits, type GrantFilter, type NewRequest, type PageCursor, type PendingKind, type Position, type RequestFilter, type Revocation, type Store } from '../store.js';

/** A request row and its `request.created` event. */
function insertRequest(tx: Db, request: NewRequest): RequestRow {
  const row = requests.insertRequest(tx, request);
  requestCreated(tx, row);
  return row;
}

/**
 * The store on one SQLite file. Each transaction is IMMEDIATE and synchronous (better-sqlite3):
 * its body never awaits, so the async interface resolves only after it committed.
 */
export function createSqliteStore(database: OpenDatabase, { auditKey }: { auditKey: AuditKey }): Store {
  const { db } = database;
  useAuditKey(db, auditKey);
  // IMMEDIATE takes the write lock up front, so two processes cannot both read "pending".
  // The work runs on `db` itself (one connection, synchronous): its prepared statements apply.
  const transaction: Transaction = <T>(fn: (tx: Db) => T): T => db.transaction(() => fn(db), { behavior: 'immediate' });

  /**
   * Several revocations in one transaction (group commit: a burst of expiries writes each
   * index page once, not once per grant), each with its own audit event; a row per input,
   * undefined where the grant was already revoked.
   */
  const markRevokedMany = (revocations: readonly Revocation[]) =>
    transaction((tx) =>
      revocations.map(({ grantId, reason, by, at, coveredBy }) => {
        const row = grants.markRevoked(tx, grantId, reason, by, at);
        if (row) {
          appendAudit(tx, {
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
        return row;
      }),
    );

  return {
    kind: 'sqlite',
    ping: async () => {
      database.sqlite.prepare('select 1').get();
    },
    close: async () => database.close(),
    ...exceptionTransactions(db, transaction),
    ...reviewTransactions(db, transaction),
    ...driftTransactions(db, transaction),
    ...breakGlassTransactions(db, transaction),
    findRequest: async (id: string) => requests.findRequest(db, id),
    pendingExtensionOf: async (grantId: string) => requests.pendingExtensionOf(db, grantId),
    findGrant: async (id: string) => grants.findGrant(db, id),
    approvalsOf: async (requestId: string) => requests.approvalsOf(db, requestId),
    pendingRequestsOf: async (userId: string) => requests.pendingRequestsOf(db, userId),
    activeGrantsOf: async (userId: string) => grants.activeGrantsOf(db, userId),
    outlastingGrantsOf: async (userId: string, now: number, exceptId: string) => grants.outlastingGrantsOf(db, userId, now, exceptId),
    liveGrantSetups: async () => grants.liveGrantSetups(db),
    liveGrants: async () => grants.liveGrants(db),
    requestsSince: async (since: number) => requests.requestsSince(db, since),
    listGrants: async (filter: GrantFilter, after: PageCursor | undefined, limit: number) => grants.listGrants(db, filter, after, limit),
    listRequests: async (filter: RequestFilter, after: PageCursor | undefined, limit: number) => requests.listRequests(db, filter, after, limit),
    listAuditEvents: async (filter: AuditFilter, afterSeq: number, limit: number) => listAuditEvents(db, filter, afterSeq, limit),
    auditPosition: async (stream: string) => auditForwarding.deliveredPosition(db, auditKey, stream),
    markAuditDelivered: async (stream: string, position: Position, at: number) => auditForwarding.markDelivered(db, auditKey, stream, position, at),
    noteAuditDeliveryError: async (stream: string, error: string, at: number) => auditForwarding.noteDeliveryError(db, auditKey, stream, error, at),
    auditHead: async () => auditHead(db),
    auditEventAt: async (seq: number) => auditEventAt(db, seq),
    verifyAuditChain: async () => verifyAuditChain(db, auditKey),
    /** Where the chain stood, signed with the audit key, to be kept outside the database. */
    auditCheckpoint: (position: Position, at: number) => signCheckpoint(auditKey, { seq: position.seq, head_hash: position.hash, at: new Date(at).toISOString() }),

    /** An operator puts a stream's position after `seq` (0: from the start), e.g. after the forwarder refused it. */
    async resumeAuditForwarding(stream: string, afterSeq: number, by: string, at: number) {
      return transaction((tx) => {
        const event = afterSeq === 0 ? undefined : auditEventAt(tx, afterSeq);
        if (afterSeq !== 0 && !event) return undefined;
        const position = event ? { seq: event.seq, hash: event.hash } : AUDIT_START;
        const before = auditForwarding.storedSeq(tx, stream);
        auditForwarding.markDelivered(tx, auditKey, stream, position, at);
        appendAudit(tx, { at, actor: by, action: 'audit.forwarding_resumed', subjectType: 'system', subjectId: stream, details: { after_seq: position.seq, stored_seq_before: before ?? null } });
        return position;
      });
    },
    pendingWithoutApprovalMessage: async (createdBefore: number, limit: number) => requests.pendingWithoutApprovalMessage(db, createdBefore, limit),
    pendingCreatedBefore: async (createdBefore: number, limit: number) => requests.pendingCreatedBefore(db, createdBefore, limit),
    pendingKinds: async () => requests.pendingKinds(db),
    pendingOfKind: async (kind: PendingKind) => requests.pendingOfKind(db, kind),
    pendingRequestTimers: async (afterCreatedAt: number, afterId: string, limit: number) => requests.pendingRequestTimers(db, afterCreatedAt, afterId, limit),
    dueForEscalation: async (resource: string, createdBefore: number, limit: number) => requests.dueForEscalation(db, resource, createdBefore, limit),

    async markEscalated(id: string, to: readonly string[], at: number) {
      return transaction((tx) => {
        const row = requests.markEscalated(tx, id, at);
        if (row) appendAudit(tx, { at, actor: 'jitbot', action: 'request.escalated', subjectType: 'request', subjectId: id, resource: row.resource, details: { to } });
        return row;
      });
    },
    grantsDueForRevocation: async (now: number, limit: number) => grants.grantsDueForRevocation(db, now, limit),
    grantsNeverQueued: async (grantedBefore: number, now: number, limit: number) => grants.grantsNeverQueued(db, grantedBefore, now, limit),
    activeGrantTimers: async (afterExpiresAt: number, afterId: string, limit: number) =>
      grants.activeGrantTimers(db, afterExpiresAt, afterId, limit),
    setApprovalMessage: async (id: string, channel: string, ts: string) => requests.setApprovalMessage(db, id, channel, ts),

    policyText: async (version: string) => policyVersions.policyText(db, version),
    rememberPolicy: async (version: string, text: string, at: number) => policyVersions.rememberPolicy(db, version, text, at),

    /** An accepted change of the access rules: the new version kept, and the change audited. */
    async policyChanged(change: { from: string; to: string; text: string; at: number; details: Record<string, unknown> }) {
      transaction((tx) => {
        policyVersions.rememberPolicy(tx, change.to, change.text, change.at);
        appendAudit(tx, { at: change.at, actor: 'jitbot', action: 'policy.changed', subjectType: 'policy', subjectId: change.to, details: { from_version: change.from, ...change.details } });
      });
    },

    homeOpened: async (userId: string, at: number) => homeViewers.noteHomeOpened(db, userId, at),
    homeViewersSince: async (since: number) => homeViewers.homeViewersSince(db, since),

    /**
     * Whether a Slack delivery is new: none of its keys (signature, trigger_id, event_id) seen
     * since `forgetBefore`. A new one's keys are remembered in the same transaction, so of two
     * copies arriving at once, in one process or two, exactly one is new.
     */
    async firstDelivery(keys: readonly string[], at: number, forgetBefore: number) {
      if (keys.length === 0) return true;
      return transaction((tx) => {
        slackDeliveries.forgetDeliveriesBefore(tx, forgetBefore);
        if (slackDeliveries.anyDeliverySeen(tx, keys)) return false;
        slackDeliveries.noteDeliveries(tx, keys, at);
        return true;
      });
    },


    /**
     * Incident revoke-all: every active grant in scope marked to end, each with its audit event,
     * and one event for the whole act, in one transaction.
     */
    async requestEndAll(input: { scope: { resource?: string | undefined; userId?: string | undefined }; by: string; at: number; reason: string; details: Record<string, unknown> }) {
      return transaction((tx) => {
        const ending = grants.requestEndIn(tx, input.scope, input.by, input.at);
        for (const grant of ending) {
          appendAudit(tx, { at: input.at, actor: input.by, action: 'grant.revoke_requested', subjectType: 'grant', subjectId: grant.id, resource: grant.resource, reason: 'revoked', details: { revoke_all: true } });
        }
        appendAudit(tx, { at: input.at, actor: input.by, action: 'incident.revoke_all', subjectType: 'system', subjectId: 'revoke-all', resource: input.scope.resource ?? null, reason: input.reason, details: { ...input.details, grants: ending.length } });
        return ending;
      });
    },

    /** An audit event with no state change: refused clicks and commands. */
    async recordEvent(event: AuditEvent) {
      transaction((tx) => appendAudit(tx, event));
    },

    async createRequest(request: NewRequest) {
      return transaction((tx) => insertRequest(tx, request));
    },

    /**
     * A new pending request, unless its requester already has as many waiting as `limits`
     * allow: then nothing is written. Counted and inserted in one transaction, so a burst of
     * requests at once cannot slip past the limit.
     */
    async createRequestWithinLimits(request: NewRequest, limits: PendingLimits) {
      return transaction((tx): CreateWithinLimits => {
        const limit = pendingLimitReached(requests.pendingCounts(tx, request.requesterId, request.resource), limits);
        return limit ? { kind: 'limit_reached', limit } : { kind: 'created', request: insertRequest(tx, request) };
      });
    },

    async approve(input: ApproveInput) {
      return transaction((tx): ApproveOutcome => {
        const request = requests.findRequest(tx, input.requestId);
        if (!request) return { kind: 'not_found' };
        if (request.status !== 'pending') return { kind: 'not_pending', request };
        const extending = request.extendsGrantId === null ? undefined : grants.findGrant(tx, request.extendsGrantId);
        const voided = request.extendsGrantId === null ? undefined : extensionVoid(extending, input.at, input.maxExtensions);
        if (voided) {
          const withdrawn = requests.closePendingRequest(tx, request.id, 'cancelled', 'jitbot', input.at);
          appendAudit(tx, { at: input.at, actor: 'jitbot', action: 'request.cancelled', subjectType: 'request', subjectId: request.id, resource: request.resource, reason: voided });
          return { kind: 'withdrawn', request: withdrawn ?? request, reason: voided };
        }
        const approvals = requests.approvalsOf(tx, request.id);
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
          appendAudit(tx, { ...base, action: 'decision.refused', reason: refusal, details: { decision: 'approve', stage: before.stage } });
          return { kind: 'refused', refusal, request };
        }
        requests.insertApproval(tx, request.id, input.approverId, before.stage, input.at);
        const after = approvalProgress(input.stages, [...approvals, { approverId: input.approverId, stage: before.stage }]);
        appendAudit(tx, { ...base, action: 'request.approval_recorded', details: { stage: before.stage, complete: after.complete } });
        if (!after.complete) return { kind: 'recorded', request, progress: after };

        const approved = requests.closePendingRequest(tx, request.id, 'approved', input.approverId, input.at);
        if (!approved) return { kind: 'not_pending', request };
        if (extending) {
          const extended = grants.extend(tx, { id: extending.id, from: extending.expiresAt, byMs: approved.durationMs, maxExtensions: input.maxExtensions, at: input.at });
          if (!extended) throw new Error(`grant ${extending.id} could not be extended inside the approving transaction`);
          appendAudit(tx, { ...base, action: 'request.approved' });
          grantExtended(tx, extending.expiresAt, extended, input.approverId, input.at, { request_id: approved.id });
          return { kind: 'extended', request: approved, grant: extended };
        }
        const grant = grants.insertGrant(tx, input.newGrant(approved));
        appendAudit(tx, { ...base, action: 'request.approved' });
        grantCreated(tx, grant, input.approverId, input.at);
        return { kind: 'approved', request: approved, grant };
      });
    },

    /** deny (an approver) or cancel (the requester): undefined when no longer pending. */
    async closeRequest(id: string, to: 'denied' | 'cancelled' | 'lapsed', by: string, at: number, reason?: string) {
      return transaction((tx) => {
        const row = requests.closePendingRequest(tx, id, to, by, at);
        if (row) {
          appendAudit(tx, { at, actor: by, action: `request.${to}`, subjectType: 'request', subjectId: id, resource: row.resource, reason: reason ?? null });
        }
        return row;
      });
    },

    async markProvisioned(grantId: string, at: number) {
      return transaction((tx) => {
        const row = grants.markProvisioned(tx, grantId, at);
        if (row) appendAudit(tx, { at, actor: 'jitbot', action: 'grant.provisioned', subjectType: 'grant', subjectId: grantId, resource: row.resource });
        return row;
      });
    },

    /** A failed setup attempt; the last one (`final`) makes the grant provision_failed, audited. Undefined when it no longer waits for setup. */
    async markProvisionFailed(grantId: string, error: string, at: number, final: boolean) {
      return transaction((tx) => {
        const row = grants.markProvisionFailed(tx, grantId, error, final);
        if (row && final) appendAudit(tx, { at, actor: 'jitbot', action: 'grant.provision_failed', subjectType: 'grant', subjectId: grantId, resource: row.resource, reason: error });
        return row;
      });
    },

    async requestEnd(grantId: string, reason: RevokeReason, by: string, at: number) {
      return transaction((tx) => {
        const row = grants.requestEnd(tx, grantId, reason, by, at);
        if (row) appendAudit(tx, { at, actor: by, action: `grant.${reason === 'released' ? 'release' : 'revoke'}_requested`, subjectType: 'grant', subjectId: grantId, resource: row.resource, reason });
        return row;
      });
    },

    markRevoked: async (grantId: string, reason: RevokeReason, by: string, at: number) => markRevokedMany([{ grantId, reason, by, at }])[0],

    markRevokedMany: async (revocations: readonly Revocation[]) => markRevokedMany(revocations),

    noteRevokeError: async (grantId: string, error: string) => grants.noteRevokeError(db, grantId, error),
    claimRevokeAlert: async (grantId: string, at: number) => grants.claimRevokeAlert(db, grantId, at),
    claimRevocation: async (grantId, { holder, at, until }) => {
      const taken = grants.claimRevocation(db, grantId, holder, until, at);
      return revocationClaim(taken, taken ? undefined : grants.findGrant(db, grantId), at);
    },
    releaseRevocationClaim: async (grantId, holder) => grants.releaseRevocationClaim(db, grantId, holder),
    holdLease: async (name, holder, ttlMs, now) => leases.holdLease(db, name, holder, ttlMs, now),
    releaseLease: async (name, holder) => leases.releaseLease(db, name, holder),
    setRevokeAlertMessage: async (grantId: string, channel: string, ts: string, at: number) => grants.setRevokeAlertMessage(db, grantId, channel, ts, at),

    async markGrantWarned(grantId: string, at: number) {
      return transaction((tx) => {
        const row = grants.markWarned(tx, grantId, at);
        if (row) appendAudit(tx, { at, actor: 'jitbot', action: 'grant.closing_soon', subjectType: 'grant', subjectId: grantId, resource: row.resource, details: { expires_at: row.expiresAt } });
        return row;
      });
    },

    /** The holder extends within policy: same grant, a later end; undefined when it may not (any more). */
    async extendGrant(input: { grantId: string; from: number; byMs: number; maxExtensions: number; by: string; at: number }) {
      return transaction((tx) => {
        const row = grants.extend(tx, { id: input.grantId, from: input.from, byMs: input.byMs, maxExtensions: input.maxExtensions, at: input.at });
        if (row) grantExtended(tx, input.from, row, input.by, input.at);
        return row;
      });
    },

    async markRevokeFailed(grantId: string, error: string, at: number) {
      return transaction((tx) => {
        const row = grants.markRevokeFailed(tx, grantId, error);
        if (row) appendAudit(tx, { at, actor: 'jitbot', action: 'grant.revoke_failed', subjectType: 'grant', subjectId: grantId, resource: row.resource, reason: error });
        return row;
      });
    },
  };
}

