import { Duration } from 'luxon';
import type { LoadedPolicy } from '../config/load-policy.js';
import type { Clock } from '../domain/clock.js';
import { compactDuration, formatDuration } from '../domain/duration.js';
import { extensionChoices } from '../domain/extension-rules.js';
import { err, ok, type Result } from '../domain/result.js';
import type { GrantRow } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { Log, Scheduler } from './ports.js';
import { queueOrLeaveToSweep } from './queue-or-sweep.js';

/**
 * Extending one's own grant from the expiry warning: the same grant ends later (live sessions
 * are not cut), within `max_duration` and `max_extensions`; the provisioner hears `access.extend`.
 */
export function createExtensionService(deps: {
  store: Pick<Store, 'findGrant' | 'extendGrant'>;
  policy: () => LoadedPolicy;
  scheduler: Pick<Scheduler, 'scheduleExtension'>;
  clock: Clock;
  log: Log;
}) {
  const { store, clock, log } = deps;

  function extendable(userId: string, grantId: string): Result<{ grant: GrantRow; choicesMs: number[] }> {
    const grant = store.findGrant(grantId);
    if (!grant || grant.userId !== userId) return err(`You have no grant ${grantId}. \`/request list\` shows your access.`);
    if (grant.status !== 'active' || grant.endRequestedReason !== null || grant.expiresAt <= clock.now().toMillis()) return err(`Your access \`${grant.id}\` has already ended or is ending; ask again with \`/request ${grant.resource} <duration> <reason>\`.`);
    const resource = deps.policy().policy.resources[grant.resource];
    if (!resource) return err(`${grant.resource} is no longer in the access policy, so it cannot be extended.`);
    const { choicesMs, extensionsLeft } = extensionChoices(grant, resource);
    const again = `To keep access longer, ask again with \`/request ${grant.resource} <duration> <reason>\` and an approver will decide.`;
    if (extensionsLeft === 0) return err(`\`${grant.id}\` has been extended ${grant.extensions} time(s), the most ${grant.resource} allows (\`max_extensions: ${resource.max_extensions}\`). ${again}`);
    if (choicesMs.length === 0) return err(`\`${grant.id}\` already lasts the longest ${grant.resource} allows (${formatDuration(resource.max_duration)}). ${again}`);
    return ok({ grant, choicesMs });
  }

  return {
    /** What the person may extend by, or why they may not. */
    choices: (input: { userId: string; grantId: string }) => extendable(input.userId, input.grantId),

    async extend(input: { userId: string; grantId: string; byMs: number }): Promise<Result<GrantRow>> {
      const checked = extendable(input.userId, input.grantId);
      if (!checked.ok) return checked;
      const { grant, choicesMs } = checked.value;
      if (!choicesMs.includes(input.byMs)) return err(`Choose one of: ${choicesMs.map((ms) => compactDuration(Duration.fromMillis(ms))).join(', ')}.`);
      const resource = deps.policy().policy.resources[grant.resource];
      const extended = store.extendGrant({ grantId: grant.id, expiresAt: grant.expiresAt + input.byMs, maxExtensions: resource?.max_extensions ?? 0, by: input.userId, at: clock.now().toMillis() });
      if (!extended) return err(`\`${grant.id}\` changed meanwhile and was not extended; look at \`/request list\`.`);
      log.info({ grantId: grant.id, expiresAt: extended.expiresAt, extensions: extended.extensions }, 'grant extended');
      await queueOrLeaveToSweep(log, { grantId: grant.id }, () => deps.scheduler.scheduleExtension(extended));
      return ok(extended);
    },
  };
}

export type ExtensionService = ReturnType<typeof createExtensionService>;
