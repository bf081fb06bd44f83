import { DateTime } from 'luxon';
import pLimit from 'p-limit';
import type { Clock } from '../domain/clock.js';
import { accessEndsAt, isStandingGrant, REVOCATION_OVERDUE_ALERT_MS, type RevokeReason } from '../domain/states.js';
import { ACTION_OF, ProvisionerError, targetOf, type AccessEvent, type Provisioner } from '../provisioners/provisioner.js';
import type { GrantRecord } from '../domain/records.js';
import type { Revocation, Store } from '../store/store.js';
import { batched } from './batched.js';
import type { MessageLane } from './message-lane.js';
import type { Log, Metrics, Notifier } from './ports.js';
import { redactedErrorMessage } from '../error-message.js';

export type RevokeOutcome = { kind: 'revoked' } | { kind: 'skipped' } | { kind: 'not_due'; dueAt: number };

/**
 * How long a revocation claim keeps other replicas from calling the provisioner for the same
 * grant: longer than a provisioner call takes, short enough that a dead holder's revocation
 * is taken over within a minute (BullMQ hands its stalled job on after about 30 s anyway).
 */
export const REVOCATION_CLAIM_MS = 60_000;

const iso = (millis: number) => DateTime.fromMillis(millis, { zone: 'utc' }).toISO() ?? '';

export function accessEvent(grant: GrantRecord, type: AccessEvent['type'], revokeReason: RevokeReason | null): AccessEvent {
  return {
    type,
    grant_id: grant.id,
    request_id: grant.requestId,
    exception_id: grant.exceptionId,
    resource: grant.resource,
    user: { slack_id: grant.userId, email: grant.userEmail },
    granted_at: iso(grant.grantedAt),
    expires_at: iso(grant.expiresAt),
    reason: grant.reason,
    revoke_reason: revokeReason,
  };
}

export interface GrantLifecycleDeps {
  store: Pick<
    Store,
    'findGrant' | 'findRequest' | 'outlastingGrantsOf' | 'markGrantWarned' | 'markProvisioned' | 'markProvisionFailed' | 'markRevokedMany' | 'markRevokeFailed' | 'noteRevokeError' | 'claimRevokeAlert' | 'setRevokeAlertMessage' | 'claimRevocation' | 'releaseRevocationClaim'
  >;
  provisionerFor: (resource: string) => Provisioner | undefined;
  /** Provisioner calls in flight at most, whatever the number of jobs due at once. */
  provisionerConcurrency: number;
  /** This process among replicas: it claims a revocation before calling the provisioner. */
  replicaId: string;
  /** `expiry_warning`: how long before the end the holder is warned. */
  warningLeadMs: () => number;
  notifier: Pick<
    Notifier,
    'accessActive' | 'accessExtended' | 'accessEndingSoon' | 'accessEnded' | 'provisioningFailing' | 'provisioningFailed' | 'provisioningRecovered' | 'revocationFailing' | 'revocationRecovered'
  >;
  metrics: Pick<Metrics, 'provisionerCall' | 'revocationLateness'>;
  /** DMs after a grant or revocation go here, so a burst of expiries revokes first. */
  messages: Pick<MessageLane, 'send'>;
  clock: Clock;
  log: Log;
}

/**
 * The work behind the timers: provisioning a grant and revoking it. One call is one attempt;
 * a failure throws so BullMQ retries with backoff, and `finalAttempt` turns the last failure
 * into a recorded, alerted state. People hear of a failing setup at its first failed attempt,
 * and of a failing revocation once the access has outlived its end by a minute.
 */
export function createGrantLifecycle(deps: GrantLifecycleDeps) {
  const { store, clock, log } = deps;
  const limit = pLimit(deps.provisionerConcurrency);
  const markRevoked = batched((revocations: readonly Revocation[]) => store.markRevokedMany(revocations), 100);

  /** One provisioner call, counted by type, action and result. */
  async function apply(grant: GrantRecord, event: AccessEvent): Promise<void> {
    const provisioner = deps.provisionerFor(grant.resource);
    if (!provisioner) throw new ProvisionerError('policy', `resource ${grant.resource} is no longer in the access policy`);
    try {
      await limit(() => provisioner.apply(event));
    } catch (error) {
      deps.metrics.provisionerCall(provisioner.type, ACTION_OF[event.type], false);
      throw error;
    }
    deps.metrics.provisionerCall(provisioner.type, ACTION_OF[event.type], true);
  }


  /**
   * Another grant of the same person that gives the same access and outlives this moment: then
   * revoking at the provisioner would take away access that grant still gives. Grants that are
   * ending or already over never cover, so two grants ending together both revoke.
   */
  async function coveringGrant(grant: GrantRecord, now: number): Promise<{ id: string } | undefined> {
    const targetOfGrant = (g: Pick<GrantRecord, 'resource'>) => targetOf(deps.provisionerFor(g.resource), g.resource);
    const target = targetOfGrant(grant);
    return (await store.outlastingGrantsOf(grant.userId, now, grant.id)).find((other) => targetOfGrant(other) === target);
  }

  const requestOf = async (grant: GrantRecord) => (grant.requestId === null ? undefined : await store.findRequest(grant.requestId));

  /**
   * The first failed attempt is told to the requester and on the approval message; an error
   * retrying cannot fix, and the last attempt, to the security channel too.
   */
  async function tellSetupFailure(before: GrantRecord, failed: GrantRecord, error: string, how: { final: boolean; permanent: boolean; requesterMayRead: boolean }): Promise<void> {
    if (how.final) await deps.notifier.provisioningFailed(failed, error, await requestOf(failed), { requesterMayRead: how.requesterMayRead });
    else if (before.provisionError === null) await deps.notifier.provisioningFailing(failed, error, await requestOf(failed), { permanent: how.permanent, requesterMayRead: how.requesterMayRead });
  }

  /**
   * One alert per grant in the security channel, posted when the revocation is overdue or
   * becomes revoke_failed, whichever comes first; redrawn in place when it becomes revoke_failed.
   */
  async function alertRevocation(grant: GrantRecord, error: string, at: number): Promise<void> {
    const alreadyPosted = grant.revokeAlertChannel !== null && grant.revokeAlertTs !== null;
    if (!alreadyPosted && grant.status !== 'revoke_failed' && !await store.claimRevokeAlert(grant.id, at)) return;
    const posted = await deps.notifier.revocationFailing(grant, error);
    if (posted && !alreadyPosted) await store.setRevokeAlertMessage(grant.id, posted.channel, posted.ts, at);
  }

  return {
    async provision(grantId: string, opts: { finalAttempt: boolean }): Promise<{ kind: 'provisioned' | 'skipped' } | { kind: 'not_due'; dueAt: number }> {
      const grant = await store.findGrant(grantId);
      if (!grant || grant.status !== 'active' || grant.provisionedAt !== null || grant.endRequestedReason !== null) return { kind: 'skipped' };
      // Already over (a timer restored after long downtime): granting now would only widen access.
      if (grant.expiresAt <= clock.now().toMillis()) return { kind: 'skipped' };
      // Scheduled access starts at its start, not at approval.
      if (grant.grantedAt > clock.now().toMillis()) return { kind: 'not_due', dueAt: grant.grantedAt };
      try {
        await apply(grant, accessEvent(grant, 'access.grant', null));
      } catch (error) {
        const message = redactedErrorMessage(error);
        const failed = await store.markProvisionFailed(grant.id, message, clock.now().toMillis(), opts.finalAttempt);
        const own = error instanceof ProvisionerError ? error : undefined;
        if (failed) await tellSetupFailure(grant, failed, message, { final: opts.finalAttempt, permanent: own?.permanent ?? false, requesterMayRead: own !== undefined && !own.quotesOutside });
        throw error;
      }
      const provisioned = await store.markProvisioned(grant.id, clock.now().toMillis());
      if (!provisioned) return { kind: 'provisioned' };
      if (grant.provisionError === null) deps.messages.send(() => deps.notifier.accessActive(provisioned));
      else deps.messages.send(async () => deps.notifier.provisioningRecovered(provisioned, await requestOf(provisioned)));
      return { kind: 'provisioned' };
    },

    /**
     * The expiry warning, once per end (an extension allows another). A warning job set for an
     * end that has since moved later (extended before it fired) is not due yet.
     */
    async warn(grantId: string): Promise<{ kind: 'warned' | 'skipped' } | { kind: 'not_due'; dueAt: number }> {
      const grant = await store.findGrant(grantId);
      if (!grant) return { kind: 'skipped' };
      const dueAt = grant.expiresAt - deps.warningLeadMs();
      if (dueAt > clock.now().toMillis()) return { kind: 'not_due', dueAt };
      const warned = await store.markGrantWarned(grantId, clock.now().toMillis());
      if (!warned) return { kind: 'skipped' };
      deps.messages.send(() => deps.notifier.accessEndingSoon(warned));
      return { kind: 'warned' };
    },

    /** Tells the provisioner the grant now ends later (`access.extend`); a failure is retried. */
    async extend(grantId: string): Promise<void> {
      const grant = await store.findGrant(grantId);
      if (!grant || grant.status !== 'active' || grant.endRequestedReason !== null) return;
      await apply(grant, accessEvent(grant, 'access.extend', null));
      deps.messages.send(() => deps.notifier.accessExtended(grant));
    },

    async revoke(grantId: string, opts: { finalAttempt: boolean }): Promise<RevokeOutcome> {
      const grant = await store.findGrant(grantId);
      if (!grant || grant.status === 'revoked') return { kind: 'skipped' };
      const now = clock.now().toMillis();
      // A standing grant ends with its exception's window, whichever timer gets there first.
      const runsOut: RevokeReason = isStandingGrant(grant) ? 'exception_closed' : 'expired';
      const reason: RevokeReason | undefined =
        grant.endRequestedReason ?? (grant.status === 'revoke_failed' || grant.expiresAt <= now ? runsOut : undefined);
      if (!reason) return { kind: 'not_due', dueAt: grant.expiresAt };
      // One replica calls the provisioner; another finding it claimed waits until the claim ends
      // (then the grant is revoked, or the claim's holder died and this job takes over).
      const claim = await store.claimRevocation(grant.id, { holder: deps.replicaId, at: now, until: now + REVOCATION_CLAIM_MS });
      if (claim.kind === 'ended') return { kind: 'skipped' };
      if (claim.kind === 'held') return { kind: 'not_due', dueAt: claim.until };

      const coveredBy = (await coveringGrant(grant, now))?.id;
      try {
        if (coveredBy === undefined) await apply(grant, accessEvent(grant, 'access.revoke', reason));
        else log.info({ grantId, coveredBy }, 'access stays: another grant still gives it');
      } catch (error) {
        const message = redactedErrorMessage(error);
        await store.releaseRevocationClaim(grant.id, deps.replicaId);
        await store.noteRevokeError(grant.id, message);
        const at = clock.now().toMillis();
        if (opts.finalAttempt) {
          const failed = await store.markRevokeFailed(grant.id, message, at);
          if (failed) await alertRevocation(failed, message, at);
        } else if (grant.revokeAlertedAt === null && at - accessEndsAt(grant) >= REVOCATION_OVERDUE_ALERT_MS) {
          await alertRevocation(grant, message, at);
        }
        throw error;
      }
      const by = grant.endRequestedBy ?? 'jitbot';
      const revoked = await markRevoked({ grantId: grant.id, reason, by, at: clock.now().toMillis(), coveredBy });
      if (!revoked) return { kind: 'skipped' };
      const latenessMs = (revoked.revokedAt ?? now) - revoked.expiresAt;
      log.info({ grantId, reason, latenessMs }, 'grant revoked');
      if (reason === 'expired') deps.metrics.revocationLateness(latenessMs / 1000);
      deps.messages.send(() => deps.notifier.accessEnded(revoked, reason, by));
      if (grant.status === 'revoke_failed' || grant.revokeAlertedAt !== null) deps.messages.send(() => deps.notifier.revocationRecovered(revoked));
      return { kind: 'revoked' };
    },
  };
}

export type GrantLifecycle = ReturnType<typeof createGrantLifecycle>;
