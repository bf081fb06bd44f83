import type { Duration } from 'luxon';
import type { LoadedPolicy } from '../config/load-policy.js';
import type { AccessAsk } from '../domain/access-rules.js';
import { breakGlassAskers, breakGlassMax, breakGlassReminderAt, checkBreakGlassAsk } from '../domain/break-glass-rules.js';
import type { Clock } from '../domain/clock.js';
import { notDueYet, type StepOutcome } from '../domain/due.js';
import { securityTeam } from '../domain/principals.js';
import { err, ok, type Result } from '../domain/result.js';
import { newId } from '../store/ids.js';
import type { BreakGlassRecord, GrantRecord, RequestRecord } from '../domain/records.js';
import type { Store } from '../store/store.js';
import { createRefusals } from './refusals.js';
import type { Membership } from './membership.js';
import { mappedAccount } from './accounts.js';
import { DirectoryError, type AccountLookup, type Directory, type Log, type Metrics, type Notifier, type Scheduler } from './ports.js';
import { grantForRequest } from './grant-for-request.js';
import { queueOrLeaveToSweep } from './queue-or-sweep.js';

export interface BreakGlassGranted {
  request: RequestRecord;
  grant: GrantRecord;
  use: BreakGlassRecord;
  /** Set when the duration asked for was cut to the break-glass maximum: what was asked. */
  cappedFrom: Duration | undefined;
}

/**
 * Break-glass (`--emergency`): access at once where the policy allows it, with a loud alert
 * the security team acknowledges. Unacknowledged uses are re-posted after an hour (a timer;
 * the sweep if Redis lost it) and stay on every review until acknowledged.
 */
export function createBreakGlassService(deps: {
  store: Pick<Store, 'grantBreakGlass' | 'findBreakGlass' | 'findGrant' | 'setBreakGlassAlerts' | 'acknowledgeBreakGlass' | 'markBreakGlassReminded' | 'recordEvent'>;
  policy: () => LoadedPolicy;
  membership: Pick<Membership, 'names' | 'members' | 'securityOnly'>;
  directory: Pick<Directory, 'userProfile'>;
  accountOf: AccountLookup;
  notifier: Pick<Notifier, 'breakGlassAlert' | 'breakGlassAcknowledged' | 'breakGlassReminder'>;
  scheduler: Pick<Scheduler, 'scheduleGrant' | 'scheduleBreakGlassReminder'>;
  metrics: Pick<Metrics, 'requestOutcome'>;
  clock: Clock;
  log: Log;
}) {
  const { store, clock, log } = deps;

  const { refuse, securityOnly } = createRefusals(deps);

  return {
    async breakGlass(input: AccessAsk & { userId: string }): Promise<Result<BreakGlassGranted>> {
      const { policy, version } = deps.policy();
      const checked = checkBreakGlassAsk(policy, input);
      const refusal = { actor: input.userId, action: 'break_glass.refused', subject: { type: 'user' as const, id: input.userId } };
      if (!checked.ok) return refuse({ ...refusal, resource: policy.resources[input.resource] ? input.resource : null, reason: checked.error.field }, checked.error.message);
      const { resourceName, resource, breakGlass, duration, capped, asked, reason } = checked.value;

      const askers = breakGlassAskers(resource, breakGlass);
      if (askers) {
        try {
          if (!(await deps.membership.names(askers, input.userId))) {
            return refuse({ ...refusal, resource: resourceName, reason: 'not_eligible' }, `You are not eligible for break-glass access to ${resourceName}. Ask without \`--emergency\` and an approver will decide; in an incident, page the resource's approvers.`);
          }
        } catch (error) {
          if (!(error instanceof DirectoryError)) throw error;
          return refuse({ ...refusal, resource: resourceName, reason: 'directory_error' }, `jitbot could not check with Slack whether you may break the glass for ${resourceName} (${error.message}). Nothing was granted; try again in a minute.`);
        }
      }

      const profile = await deps.directory.userProfile(input.userId).catch(() => undefined);
      const email = profile?.email ?? null;
      const mapped = mappedAccount(deps.accountOf, resourceName, { slack_id: input.userId, email }, profile !== undefined);
      if (!mapped.ok) return refuse({ ...refusal, resource: resourceName, reason: 'no_account' }, mapped.error);
      const now = clock.now().toMillis();
      const request = { id: newId('req'), requesterId: input.userId, requesterEmail: email, resource: resourceName, durationMs: duration.toMillis(), reason, policyVersion: version, createdAt: now };
      const granted = await store.grantBreakGlass(request, { max_ms: breakGlassMax(resource, breakGlass).toMillis(), capped }, (approved) => grantForRequest(approved, now));
      log.warn({ grantId: granted.grant.id, resource: resourceName, userId: input.userId }, 'break-glass access granted');
      deps.metrics.requestOutcome('break_glass');
      await queueOrLeaveToSweep(log, { grantId: granted.grant.id }, async () => {
        await deps.scheduler.scheduleGrant(granted.grant);
        await deps.scheduler.scheduleBreakGlassReminder(granted.grant.id, breakGlassReminderAt(granted.use));
      });
      const alerts = await deps.notifier.breakGlassAlert(granted.use, granted.grant);
      const where = {
        securityChannel: alerts.security?.channel ?? null,
        securityTs: alerts.security?.ts ?? null,
        resourceChannel: alerts.resource?.channel ?? null,
        resourceTs: alerts.resource?.ts ?? null,
      };
      await store.setBreakGlassAlerts(granted.grant.id, where);
      return ok({ ...granted, use: { ...granted.use, ...where }, cappedFrom: capped ? asked : undefined });
    },

    /** `acknowledge` on the alert: the security team has seen it. */
    async acknowledge(input: { grantId: string; actorId: string }): Promise<Result<BreakGlassRecord>> {
      const use = await store.findBreakGlass(input.grantId);
      if (!use) return err(`${input.grantId} is not a break-glass grant.`);
      if (use.acknowledgedAt !== null) return err(`This break-glass use was already acknowledged by <@${use.acknowledgedBy ?? ''}>.`);
      const allowed = await securityOnly('acknowledge break-glass use', { actor: input.actorId, action: 'decision.refused', subject: { type: 'grant', id: use.grantId }, resource: use.resource });
      if (!allowed.ok) return allowed;
      const acknowledged = await store.acknowledgeBreakGlass(use.grantId, input.actorId, clock.now().toMillis());
      if (!acknowledged) return err('This break-glass use was acknowledged a moment ago by someone else.');
      const grant = await store.findGrant(acknowledged.grantId);
      if (grant) await deps.notifier.breakGlassAcknowledged(acknowledged, grant);
      return ok(acknowledged);
    },

    /** An hour unacknowledged: post it again and DM the security team, once. */
    async remind(grantId: string): Promise<StepOutcome> {
      const found = await store.findBreakGlass(grantId);
      if (!found || found.acknowledgedAt !== null || found.remindedAt !== null) return { kind: 'skipped' };
      const now = clock.now().toMillis();
      const notDue = notDueYet(breakGlassReminderAt(found), now);
      if (notDue) return notDue;
      const use = await store.markBreakGlassReminded(grantId, now);
      if (!use) return { kind: 'skipped' };
      let team: string[] = [];
      try {
        team = await deps.membership.members(securityTeam(deps.policy().policy));
      } catch (error) {
        if (!(error instanceof DirectoryError)) throw error;
        log.warn({ err: error, grantId }, 'could not list the security team for a break-glass reminder; posting only');
      }
      log.warn({ grantId, waitedMs: clock.now().toMillis() - use.createdAt }, 'break-glass use still unacknowledged');
      const grant = await store.findGrant(use.grantId);
      if (grant) await deps.notifier.breakGlassReminder(use, grant, team);
      return { kind: 'done' };
    },
  };
}

export type BreakGlassService = ReturnType<typeof createBreakGlassService>;
