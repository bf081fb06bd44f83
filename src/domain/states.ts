/** State machines of DESIGN.md §6. The store enforces them with conditional UPDATEs. */
export const REQUEST_STATUSES = ['pending', 'approved', 'denied', 'cancelled', 'lapsed'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const GRANT_STATUSES = ['active', 'revoked', 'revoke_failed'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

export const REVOKE_REASONS = ['expired', 'released', 'revoked', 'exception_closed'] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

/** Grants whose access may still exist at the provisioner. */
export const LIVE_GRANT_STATUSES: readonly GrantStatus[] = ['active', 'revoke_failed'];

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
