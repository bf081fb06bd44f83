/** The state machines of requests, grants and exceptions. The store enforces them with conditional UPDATEs. */
export const REQUEST_STATUSES = ['pending', 'approved', 'denied', 'cancelled', 'lapsed'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/**
 * A grant: `active` from approval; its access is set up by the provisioner (`provisioned_at`),
 * or the setup keeps failing and it becomes `provision_failed`; either way it ends `revoked`
 * (or `revoke_failed` while the provisioner refuses the revocation).
 */
export const GRANT_STATUSES = ['active', 'provision_failed', 'revoked', 'revoke_failed'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

export const REVOKE_REASONS = ['expired', 'released', 'revoked', 'exception_closed'] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

/** Grants that have not ended: each still ends at expiry, or by release, revoke or revoke-all. */
export const UNENDED_GRANT_STATUSES: readonly GrantStatus[] = ['active', 'provision_failed'];

/** Grants whose access may still exist at the provisioner (a failed setup may have done part of it). */
export const LIVE_GRANT_STATUSES: readonly GrantStatus[] = [...UNENDED_GRANT_STATUSES, 'revoke_failed'];

/** An opt-out exception: `pending → open | denied`, then `open → closed` (expired or revoked). */
export const EXCEPTION_STATUSES = ['pending', 'open', 'denied', 'closed'] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];

export const EXCEPTION_CLOSE_REASONS = ['expired', 'revoked'] as const;
export type ExceptionCloseReason = (typeof EXCEPTION_CLOSE_REASONS)[number];

/** auto_approve: the person's requests are granted at once; standing: one grant for the whole window. */
export const OPT_OUT_MODES = ['auto_approve', 'standing'] as const;
export type OptOutMode = (typeof OPT_OUT_MODES)[number];

/** What a reviewer decides about a long-lived item of a security review. */
export const REVIEW_DECISIONS = ['keep', 'revoke'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** What started a review: the schedule, `/request review`, or `jitbot review`. */
export const REVIEW_TRIGGERS = ['schedule', 'slack', 'cli'] as const;
export type ReviewTrigger = (typeof REVIEW_TRIGGERS)[number];

/** A standing grant: made by a `standing` exception rather than a request; it lasts as long as its exception. */
export const isStandingGrant = (grant: { requestId: string | null; exceptionId: string | null }): boolean => grant.requestId === null && grant.exceptionId !== null;

/**
 * Where a grant's setup stands: `scheduled` (its start is ahead), `pending` (due, no attempt
 * failed yet), `failing` (an attempt failed, jitbot keeps trying), `failed` (it gave up) or `done`.
 */
export type GrantSetup = 'scheduled' | 'pending' | 'failing' | 'failed' | 'done';

export function grantSetup(grant: { status: GrantStatus; grantedAt: number; provisionedAt: number | null; provisionError: string | null }, now: number): GrantSetup {
  if (grant.provisionedAt !== null) return 'done';
  return setupTrouble(grant) ?? (grant.grantedAt > now ? 'scheduled' : 'pending');
}

/**
 * What people are shown apart from working access: a setup that failed (jitbot gave up) or
 * keeps failing; undefined when the access is set up or nothing has failed yet.
 */
export function setupTrouble(grant: { status: GrantStatus; provisionedAt: number | null; provisionError: string | null }): 'failing' | 'failed' | undefined {
  if (grant.provisionedAt !== null) return undefined;
  if (grant.status === 'provision_failed') return 'failed';
  return grant.provisionError === null ? undefined : 'failing';
}

/** When a grant's access should have gone: its expiry, or when release/revoke asked it to end, if earlier. */
export function accessEndsAt(grant: { expiresAt: number; endRequestedAt: number | null }): number {
  return grant.endRequestedAt === null ? grant.expiresAt : Math.min(grant.expiresAt, grant.endRequestedAt);
}

/** A revocation still failing this long after the access should have gone is alerted, without waiting for the last retry. */
export const REVOCATION_OVERDUE_ALERT_MS = 60_000;
