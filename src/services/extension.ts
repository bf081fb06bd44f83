import { Duration } from 'luxon';
import type { LoadedPolicy } from '../config/load-policy.js';
import type { Clock } from '../domain/clock.js';
import { formatDuration } from '../domain/duration.js';
import { atOnceLimitMs, extensionChoices, extensionVoid } from '../domain/extension-rules.js';
import type { ResourcePolicy } from '../domain/policy.js';
import { err, ok, type Result } from '../domain/result.js';
import type { BreakGlassRecord, GrantRecord, RequestRecord } from '../domain/records.js';
import type { Store } from '../store/store.js';
import type { AccessRequestService } from './access-requests.js';
import type { MessageLane } from './message-lane.js';
import type { Log, Notifier, Scheduler } from './ports.js';
import { queueOrLeaveToSweep } from './queue-or-sweep.js';

/** What the Extend form offers: at once within policy, or to the approvers beyond it. */
export interface ExtensionChoices {
  grant: GrantRecord;
  choicesMs: number[];
  approvalChoicesMs: number[];
  /** A break-glass grant: extended at once only within this much in all (`break_glass.max_duration`). */
  breakGlassMaxMs?: number | undefined;
}

export type ExtensionOutcome = { kind: 'extended'; grant: GrantRecord } | { kind: 'requested'; request: RequestRecord; posted: boolean };

/**
 * Extending one's own grant (expiry warning, App Home): within `max_duration` the same grant
 * ends later at once (live sessions are not cut) and the provisioner hears `access.extend`;
 * beyond it, the approvers decide on an extension request. `max_extensions` caps both. A
 * break-glass grant extends at once only within `break_glass.max_duration`, and each extension
 * of one is announced to security.
 */
export function createExtensionService(deps: {
  store: Pick<Store, 'findGrant' | 'extendGrant' | 'findBreakGlass'>;
  policy: () => LoadedPolicy;
  accessRequests: Pick<AccessRequestService, 'requestExtension'>;
  scheduler: Pick<Scheduler, 'scheduleExtension'>;
  notifier: Pick<Notifier, 'breakGlassExtended'>;
  messages: Pick<MessageLane, 'send'>;
  clock: Clock;
  log: Log;
}) {
  const { store, clock, log } = deps;

  async function extendable(userId: string, grantId: string): Promise<Result<ExtensionChoices & { resource: ResourcePolicy; breakGlass: BreakGlassRecord | undefined }>> {
    const grant = await store.findGrant(grantId);
    if (!grant || grant.userId !== userId) return err(`You have no grant ${grantId}. \`/request list\` shows your access.`);
    const resource = deps.policy().policy.resources[grant.resource];
    if (!resource) return err(`${grant.resource} is no longer in the access policy, so it cannot be extended.`);
    const voided = extensionVoid(grant, clock.now().toMillis(), resource.max_extensions);
    if (voided === 'grant_ended') return err(`Your access \`${grant.id}\` has already ended or is ending; ask again with \`/request ${grant.resource} <duration> <reason>\`.`);
    if (voided === 'max_extensions') return err(`\`${grant.id}\` has been extended ${grant.extensions} time(s), the most ${grant.resource} allows (\`max_extensions: ${resource.max_extensions}\`). To keep access longer, ask again with \`/request ${grant.resource} <duration> <reason>\` and an approver will decide.`);
    const breakGlass = await store.findBreakGlass(grant.id);
    const atOnceMs = atOnceLimitMs(resource, breakGlass !== undefined);
    return ok({ grant, resource, breakGlass, breakGlassMaxMs: breakGlass ? atOnceMs : undefined, ...extensionChoices(grant, resource, atOnceMs) });
  }

  const words = (ms: number) => formatDuration(Duration.fromMillis(ms));

  return {
    /** What the person may extend by, or why they may not. */
    choices: (input: { userId: string; grantId: string }) => extendable(input.userId, input.grantId),

    async extend(input: { userId: string; grantId: string; byMs: number }): Promise<Result<ExtensionOutcome>> {
      const checked = await extendable(input.userId, input.grantId);
      if (!checked.ok) return checked;
      const { grant, resource, choicesMs, approvalChoicesMs, breakGlass, breakGlassMaxMs } = checked.value;
      if (approvalChoicesMs.includes(input.byMs)) {
        const asked = await deps.accessRequests.requestExtension({ grant, resource, byMs: input.byMs });
        return asked.ok ? ok({ kind: 'requested', ...asked.value }) : asked;
      }
      if (!choicesMs.includes(input.byMs)) return err(`Choose one of: ${[...choicesMs, ...approvalChoicesMs].map(words).join(', ')}.`);
      const extended = await store.extendGrant({ grantId: grant.id, from: grant.expiresAt, byMs: input.byMs, maxExtensions: resource.max_extensions, by: input.userId, at: clock.now().toMillis() });
      if (!extended) return err(`\`${grant.id}\` changed meanwhile and was not extended; look at \`/request list\`.`);
      log.info({ grantId: grant.id, expiresAt: extended.expiresAt, extensions: extended.extensions }, 'grant extended');
      await queueOrLeaveToSweep(log, { grantId: grant.id }, () => deps.scheduler.scheduleExtension(extended));
      if (breakGlass) deps.messages.send(() => deps.notifier.breakGlassExtended(breakGlass, extended, { kind: 'at_once', byMs: input.byMs, withinMs: breakGlassMaxMs ?? 0 }));
      return ok({ kind: 'extended', grant: extended });
    },
  };
}

export type ExtensionService = ReturnType<typeof createExtensionService>;
