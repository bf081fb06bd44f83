import type { Clock } from '../domain/clock.js';
import { ok, type Result } from '../domain/result.js';
import { describeScope, type RevokeScope } from '../domain/revoke-scope.js';
import type { Store } from '../store/store.js';
import { createRefusals } from './refusals.js';
import type { ExceptionLifecycle } from './exception-lifecycle.js';
import type { Membership } from './membership.js';
import type { Log, Notifier, Scheduler } from './ports.js';
import { queueOrLeaveToSweep } from './queue-or-sweep.js';

export interface RevokeAllCounts {
  grants: number;
  exceptions: number;
}

/** Revocations queued at once: Redis round trips overlap, so 10,000 take seconds. */
const QUEUE_BATCH = 200;

/**
 * Incident revoke-all: every active grant and open exception in scope ends now, for the
 * security team (`/request revoke-all`) or whoever holds the database (`jitbot revoke-all`).
 * SQLite is marked first, in one transaction, so a crash or a lost Redis job still ends
 * everything at the next sweep.
 */
export function createRevokeAll(deps: {
  store: Pick<Store, 'requestEndAll' | 'openExceptionsIn' | 'recordEvent'>;
  membership: Pick<Membership, 'securityOnly'>;
  exceptions: Pick<ExceptionLifecycle, 'close'>;
  scheduler: Pick<Scheduler, 'revokeNow'>;
  notifier: Pick<Notifier, 'revokedAll'>;
  clock: Clock;
  log: Log;
}) {
  const { store, clock, log } = deps;

  const refusals = createRefusals(deps);
  const securityOnly = (actor: string) => refusals.securityOnly('revoke everything at once', { actor, action: 'revoke_all.refused', subject: { type: 'system', id: 'revoke-all' } });

  return {
    /** `checkedBy: 'security'` checks the actor is on the security team; `'cli'` trusts the caller. */
    async revokeAll(input: { actorId: string; scope: RevokeScope; reason: string; checkedBy: 'security' | 'cli' }): Promise<Result<RevokeAllCounts>> {
      if (input.checkedBy === 'security') {
        const allowed = await securityOnly(input.actorId);
        if (!allowed.ok) return allowed;
      }
      const scope = { resource: input.scope.kind === 'resource' ? input.scope.resource : undefined, userId: input.scope.kind === 'user' ? input.scope.userId : undefined };
      const exceptions = await store.openExceptionsIn(scope);
      const ending = await store.requestEndAll({ scope, by: input.actorId, at: clock.now().toMillis(), reason: input.reason, details: { scope: input.scope, exceptions: exceptions.length } });
      log.warn({ actor: input.actorId, scope: input.scope, grants: ending.length, exceptions: exceptions.length }, 'revoke-all');
      for (const exception of exceptions) await deps.exceptions.close(exception.id, 'revoked', input.actorId);
      for (let i = 0; i < ending.length; i += QUEUE_BATCH) {
        await Promise.all(ending.slice(i, i + QUEUE_BATCH).map((grant) => queueOrLeaveToSweep(log, { grantId: grant.id }, () => deps.scheduler.revokeNow(grant.id))));
      }
      const counts = { grants: ending.length, exceptions: exceptions.length };
      await deps.notifier.revokedAll(input.actorId, describeScope(input.scope), input.reason, counts);
      return ok(counts);
    },
  };
}

export type RevokeAll = ReturnType<typeof createRevokeAll>;
