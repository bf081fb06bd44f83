import type { AuditKey } from '../../domain/audit-chain.js';
import { appendAudit } from './audit-log.js';
import type { Db, Transaction } from './database.js';
import * as exceptions from './exceptions.js';
import * as grants from './grants.js';
import { grantAtOnce, grantCreated } from './granting.js';
import type { ExceptionRow, GrantRow } from './schema.js';
import type { ClosedException, CreateExceptionOutcome, OpenExceptionOutcome, Store } from '../store.js';

const exceptionSubject = (e: ExceptionRow) => ({ subjectType: 'exception' as const, subjectId: e.id, resource: e.resource });

type ExceptionMethods = Pick<
  Store,
  | 'findException'
  | 'liveExceptionsOf'
  | 'listExceptions'
  | 'countOpenExceptions'
  | 'pendingExceptionResources'
  | 'pendingExceptionsOn'
  | 'openExceptionsIn'
  | 'pageExceptions'
  | 'exceptionsDueToClose'
  | 'openExceptionTimers'
  | 'pendingExceptionsWithoutApprovalMessage'
  | 'setExceptionApprovalMessage'
  | 'createException'
  | 'openException'
  | 'denyException'
  | 'closeException'
  | 'markExceptionWarned'
  | 'grantUnderException'
>;

/**
 * State changes of opt-out exceptions, each one write transaction (see transaction.ts) with its
 * audit event. Part of the store (see store.ts); kept apart so each file reads as one story.
 */
export function exceptionTransactions(db: Db, transaction: Transaction, key: AuditKey): ExceptionMethods {
  return {
    findException: (id) => exceptions.findException(db, id),
    liveExceptionsOf: (userId) => exceptions.liveExceptionsOf(db, userId),
    listExceptions: (options) => exceptions.listExceptions(db, options),
    countOpenExceptions: () => exceptions.countOpen(db),
    pendingExceptionResources: () => exceptions.pendingExceptionResources(db),
    pendingExceptionsOn: (resource) => exceptions.pendingExceptionsOn(db, resource),
    openExceptionsIn: (scope) => exceptions.openExceptionsIn(db, scope),
    pageExceptions: (filter, after, limit) => exceptions.pageExceptions(db, filter, after, limit),
    exceptionsDueToClose: (now, limit) => exceptions.exceptionsDueToClose(db, now, limit),
    openExceptionTimers: (afterEndsAt, afterId, limit) => exceptions.openExceptionTimers(db, afterEndsAt, afterId, limit),
    pendingExceptionsWithoutApprovalMessage: (createdBefore, limit) => exceptions.pendingWithoutApprovalMessage(db, createdBefore, limit),
    setExceptionApprovalMessage: (id, channel, ts) => exceptions.setApprovalMessage(db, id, channel, ts),

    createException: (exception) =>
      transaction(async (tx): Promise<CreateExceptionOutcome> => {
        const existing = await exceptions.liveExceptionFor(tx, exception.userId, exception.resource);
        if (existing) return { kind: 'duplicate', existing };
        const row = await exceptions.insertException(tx, exception);
        await appendAudit(tx, key, {
          ...exceptionSubject(row),
          at: row.createdAt,
          actor: row.userId,
          action: 'exception.requested',
          reason: row.reason,
          details: { duration_ms: row.durationMs, mode: row.mode, policy_version: row.policyVersion },
        });
        return { kind: 'created', exception: row };
      }),

    /**
     * Approval by someone the caller checked may approve exceptions. Opens the window from
     * now; in standing mode also creates the one grant that lasts the whole window.
     */
    openException: (input) =>
      transaction(async (tx): Promise<OpenExceptionOutcome> => {
        const found = await exceptions.findException(tx, input.id);
        if (!found) return { kind: 'not_found' };
        if (found.status !== 'pending') return { kind: 'not_pending', exception: found };
        const base = { ...exceptionSubject(found), at: input.at, actor: input.approverId };
        if (found.userId === input.approverId) {
          await appendAudit(tx, key, { ...base, action: 'decision.refused', reason: 'self_approval', details: { decision: 'approve' } });
          return { kind: 'self_approval', exception: found };
        }
        const opened = await exceptions.openException(tx, found.id, input.approverId, input.at, input.at + found.durationMs);
        if (!opened) return { kind: 'not_pending', exception: found };
        await appendAudit(tx, key, { ...base, action: 'exception.opened', reason: opened.reason, details: { mode: opened.mode, opens_at: opened.opensAt, ends_at: opened.endsAt } });
        if (opened.mode !== 'standing') return { kind: 'opened', exception: opened, standingGrant: undefined };
        const grant = await grants.insertGrant(tx, input.newGrant(opened));
        await grantCreated(tx, key, grant, input.approverId, input.at);
        return { kind: 'opened', exception: opened, standingGrant: grant };
      }),

    denyException: (id, by, at) =>
      transaction(async (tx) => {
        const row = await exceptions.denyException(tx, id, by, at);
        if (row) await appendAudit(tx, key, { ...exceptionSubject(row), at, actor: by, action: 'exception.denied' });
        return row;
      }),

    /** Closes an open exception once (expired at its end, or revoked early) and marks its standing grant to end. */
    closeException: (id, reason, by, at) =>
      transaction(async (tx): Promise<ClosedException | undefined> => {
        const closed = await exceptions.closeException(tx, id, reason, by, at);
        if (!closed) return undefined;
        await appendAudit(tx, key, {
          ...exceptionSubject(closed),
          at,
          actor: by,
          action: 'exception.closed',
          reason,
          details: { ends_at: closed.endsAt, lateness_ms: reason === 'expired' ? at - (closed.endsAt ?? at) : null },
        });
        const endedGrants: GrantRow[] = [];
        for (const grant of await grants.activeStandingGrantsOf(tx, id)) {
          const ending = await grants.requestEnd(tx, grant.id, 'exception_closed', by, at);
          if (!ending) continue;
          await appendAudit(tx, key, { at, actor: by, action: 'grant.revoke_requested', subjectType: 'grant', subjectId: grant.id, resource: grant.resource, reason: 'exception_closed', details: { exception_id: id } });
          endedGrants.push(ending);
        }
        return { exception: closed, endedGrants };
      }),

    markExceptionWarned: (id, at) =>
      transaction(async (tx) => {
        const row = await exceptions.markWarned(tx, id, at);
        if (row) await appendAudit(tx, key, { ...exceptionSubject(row), at, actor: 'jitbot', action: 'exception.closing_soon', details: { ends_at: row.endsAt } });
        return row;
      }),

    /**
     * A request granted at once because its requester holds an open auto_approve exception
     * for the resource. Undefined (and nothing written) when there is no such exception now.
     */
    grantUnderException: (request, newGrant) =>
      transaction(async (tx) => {
        const exception = await exceptions.liveExceptionFor(tx, request.requesterId, request.resource);
        const at = request.createdAt;
        if (!exception || exception.status !== 'open' || exception.mode !== 'auto_approve' || (exception.endsAt ?? 0) <= at) return undefined;
        const granted = await grantAtOnce(tx, key, request, { reason: 'opt_out_exception', details: { exception_id: exception.id } }, (row) => newGrant(row, exception));
        return { ...granted, exception };
      }),
  };
}
