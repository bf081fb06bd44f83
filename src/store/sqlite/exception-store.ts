import type { ExceptionCloseReason } from '../../domain/states.js';
import { appendAudit } from './audit-log.js';
import type { Db, Transaction } from './database.js';
import * as exceptions from './exceptions.js';
import * as grants from './grants.js';
import { grantAtOnce, grantCreated } from './granting.js';
import * as requests from './requests.js';
import type { ExceptionRow, GrantRow, RequestRow } from './schema.js';
import type { CreateExceptionOutcome, ExceptionFilter, OpenExceptionOutcome } from '../store.js';


const exceptionSubject = (e: ExceptionRow) => ({ subjectType: 'exception' as const, subjectId: e.id, resource: e.resource });

/**
 * State changes of opt-out exceptions, each one transaction with its audit event. Part of the
 * store (see store.ts); kept apart so each file reads as one story.
 */
export function exceptionTransactions(db: Db, transaction: Transaction) {
  return {
    findException: async (id: string) => exceptions.findException(db, id),
    liveExceptionsOf: async (userId: string) => exceptions.liveExceptionsOf(db, userId),
    listExceptions: async (options: { all: boolean }) => exceptions.listExceptions(db, options),
    countOpenExceptions: async () => exceptions.countOpen(db),
    pendingExceptionResources: async () => exceptions.pendingExceptionResources(db),
    pendingExceptionsOn: async (resource: string) => exceptions.pendingExceptionsOn(db, resource),
    openExceptionsIn: async (scope: { resource?: string | undefined; userId?: string | undefined }) => exceptions.openExceptionsIn(db, scope),
    pageExceptions: async (filter: ExceptionFilter, after: { at: number; id: string } | undefined, limit: number) => exceptions.pageExceptions(db, filter, after, limit),
    exceptionsDueToClose: async (now: number, limit: number) => exceptions.exceptionsDueToClose(db, now, limit),
    openExceptionTimers: async (afterEndsAt: number, afterId: string, limit: number) => exceptions.openExceptionTimers(db, afterEndsAt, afterId, limit),
    pendingExceptionsWithoutApprovalMessage: async (createdBefore: number, limit: number) => exceptions.pendingWithoutApprovalMessage(db, createdBefore, limit),
    setExceptionApprovalMessage: async (id: string, channel: string, ts: string) => exceptions.setApprovalMessage(db, id, channel, ts),

    async createException(exception: exceptions.NewException & { createdAt: number }) {
      return transaction((tx): CreateExceptionOutcome => {
        const existing = exceptions.liveExceptionFor(tx, exception.userId, exception.resource);
        if (existing) return { kind: 'duplicate', existing };
        const row = exceptions.insertException(tx, exception);
        appendAudit(tx, {
          ...exceptionSubject(row),
          at: row.createdAt,
          actor: row.userId,
          action: 'exception.requested',
          reason: row.reason,
          details: { duration_ms: row.durationMs, mode: row.mode, policy_version: row.policyVersion },
        });
        return { kind: 'created', exception: row };
      });
    },

    /**
     * Approval by someone the caller checked may approve exceptions. Opens the window from
     * now; in standing mode also creates the one grant that lasts the whole window.
     */
    async openException(input: { id: string; approverId: string; at: number; newGrant: (e: ExceptionRow) => grants.NewGrant }) {
      return transaction((tx): OpenExceptionOutcome => {
        const found = exceptions.findException(tx, input.id);
        if (!found) return { kind: 'not_found' };
        if (found.status !== 'pending') return { kind: 'not_pending', exception: found };
        const base = { ...exceptionSubject(found), at: input.at, actor: input.approverId };
        if (found.userId === input.approverId) {
          appendAudit(tx, { ...base, action: 'decision.refused', reason: 'self_approval', details: { decision: 'approve' } });
          return { kind: 'self_approval', exception: found };
        }
        const opened = exceptions.openException(tx, found.id, input.approverId, input.at, input.at + found.durationMs);
        if (!opened) return { kind: 'not_pending', exception: found };
        appendAudit(tx, { ...base, action: 'exception.opened', reason: opened.reason, details: { mode: opened.mode, opens_at: opened.opensAt, ends_at: opened.endsAt } });
        if (opened.mode !== 'standing') return { kind: 'opened', exception: opened, standingGrant: undefined };
        const grant = grants.insertGrant(tx, input.newGrant(opened));
        grantCreated(tx, grant, input.approverId, input.at);
        return { kind: 'opened', exception: opened, standingGrant: grant };
      });
    },

    async denyException(id: string, by: string, at: number) {
      return transaction((tx) => {
        const row = exceptions.denyException(tx, id, by, at);
        if (row) appendAudit(tx, { ...exceptionSubject(row), at, actor: by, action: 'exception.denied' });
        return row;
      });
    },

    /** Closes an open exception once (expired at its end, or revoked early) and marks its standing grant to end. */
    async closeException(id: string, reason: ExceptionCloseReason, by: string, at: number) {
      return transaction((tx) => {
        const closed = exceptions.closeException(tx, id, reason, by, at);
        if (!closed) return undefined;
        appendAudit(tx, { ...exceptionSubject(closed), at, actor: by, action: 'exception.closed', reason, details: { ends_at: closed.endsAt, lateness_ms: reason === 'expired' ? at - (closed.endsAt ?? at) : null } });
        const endedGrants: GrantRow[] = [];
        for (const grant of grants.activeStandingGrantsOf(tx, id)) {
          const ending = grants.requestEnd(tx, grant.id, 'exception_closed', by, at);
          if (!ending) continue;
          appendAudit(tx, { at, actor: by, action: 'grant.revoke_requested', subjectType: 'grant', subjectId: grant.id, resource: grant.resource, reason: 'exception_closed', details: { exception_id: id } });
          endedGrants.push(ending);
        }
        return { exception: closed, endedGrants };
      });
    },

    async markExceptionWarned(id: string, at: number) {
      return transaction((tx) => {
        const row = exceptions.markWarned(tx, id, at);
        if (row) appendAudit(tx, { ...exceptionSubject(row), at, actor: 'jitbot', action: 'exception.closing_soon', details: { ends_at: row.endsAt } });
        return row;
      });
    },

    /**
     * A request granted at once because its requester holds an open auto_approve exception
     * for the resource. Undefined (and nothing written) when there is no such exception now.
     */
    async grantUnderException(
      request: requests.NewRequest & { createdAt: number },
      newGrant: (approved: RequestRow, exception: ExceptionRow) => grants.NewGrant,
    ) {
      return transaction((tx) => {
        const exception = exceptions.liveExceptionFor(tx, request.requesterId, request.resource);
        const at = request.createdAt;
        if (!exception || exception.status !== 'open' || exception.mode !== 'auto_approve' || (exception.endsAt ?? 0) <= at) return undefined;
        const granted = grantAtOnce(tx, request, { reason: 'opt_out_exception', details: { exception_id: exception.id } }, (row) => newGrant(row, exception));
        return { ...granted, exception };
      });
    },
  };
}
