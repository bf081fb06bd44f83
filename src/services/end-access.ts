import type { LoadedPolicy } from '../config/load-policy.js';
import { approvalStages } from '../domain/approval-chain.js';
import type { Clock } from '../domain/clock.js';
import { err, ok, type Result } from '../domain/result.js';
import { UNENDED_GRANT_STATUSES } from '../domain/states.js';
import type { GrantRecord } from '../domain/records.js';
import type { Store } from '../store/store.js';
import { createRefusals } from './refusals.js';
import type { Membership } from './membership.js';
import { DirectoryError, type Log, type Scheduler } from './ports.js';
import { queueOrLeaveToSweep } from './queue-or-sweep.js';

export interface EndAccessDeps {
  store: Pick<Store, 'findGrant' | 'activeGrantsOf' | 'requestEnd' | 'recordEvent'>;
  policy: () => LoadedPolicy;
  membership: Membership;
  scheduler: Pick<Scheduler, 'revokeNow'>;
  clock: Clock;
  log: Log;
}

/** Ending access before it expires: `release` by its holder, `revoke` by an approver or the security team. */
export function createEndAccessService(deps: EndAccessDeps) {
  const { store, clock, log } = deps;
  const refusals = createRefusals(deps);

  async function endNow(grants: readonly GrantRecord[], reason: 'released' | 'revoked', by: string): Promise<GrantRecord[]> {
    const ended: GrantRecord[] = [];
    for (const grant of grants) {
      const row = await store.requestEnd(grant.id, reason, by, clock.now().toMillis());
      if (!row) continue;
      ended.push(row);
      await queueOrLeaveToSweep(log, { grantId: row.id }, () => deps.scheduler.revokeNow(row.id));
    }
    return ended;
  }

  return {
    async release(input: { userId: string; target: string }): Promise<Result<GrantRecord[]>> {
      const mine = await store.activeGrantsOf(input.userId);
      const target = input.target.toLowerCase();
      const chosen = mine.filter((g) => g.id === target || g.resource === target);
      if (chosen.length === 0) {
        return err(`You have no active access matching "${input.target}". \`/request list\` shows your grants.`);
      }
      const ended = await endNow(chosen, 'released', input.userId);
      if (ended.length === 0) return err(`Your access matching "${input.target}" is already ending.`);
      return ok(ended);
    },

    /** "Request again": what the person's ended grant was for, to fill the form in with. */
    async askedBefore(input: { userId: string; grantId: string }): Promise<Result<{ resource: string; durationMs: number; reason: string }>> {
      const grant = await store.findGrant(input.grantId);
      if (!grant || grant.userId !== input.userId) return err(`You have no grant ${input.grantId}. \`/request\` opens the form.`);
      return ok({ resource: grant.resource, durationMs: grant.expiresAt - grant.grantedAt, reason: grant.reason });
    },

    async revoke(input: { actorId: string; target: string }): Promise<Result<GrantRecord>> {
      const grant = await store.findGrant(input.target.toLowerCase());
      if (!grant || !UNENDED_GRANT_STATUSES.includes(grant.status)) {
        return err(`There is no active grant ${input.target}. Grant IDs look like grt-7fk2m9qa3d.`);
      }
      const resource = deps.policy().policy.resources[grant.resource];
      const refuse = (reason: string, message: string) =>
        refusals.refuse<GrantRecord>({ actor: input.actorId, action: 'revoke.refused', subject: { type: 'grant', id: grant.id }, resource: grant.resource, reason }, message);
      let allowed = false;
      try {
        for (const stage of resource ? approvalStages(resource) : []) {
          if (await deps.membership.names(stage.approvers, input.actorId)) {
            allowed = true;
            break;
          }
        }
        allowed ||= await deps.membership.onSecurityTeam(input.actorId);
      } catch (error) {
        if (!(error instanceof DirectoryError)) throw error;
        return refuse('directory_error', `jitbot could not check your rights with Slack (${error.message}); nothing changed.`);
      }
      if (!allowed) return refuse('not_an_approver', `Only approvers of ${grant.resource} or the security team may revoke someone's access. Nothing changed.`);
      const [ended] = await endNow([grant], 'revoked', input.actorId);
      return ended ? ok(ended) : err(`${grant.id} is already ending.`);
    },
  };
}

export type EndAccessService = ReturnType<typeof createEndAccessService>;
