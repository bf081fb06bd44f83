/** State machines of DESIGN.md §6. The store enforces them with conditional UPDATEs. */
export const REQUEST_STATUSES = ['pending', 'approved', 'denied', 'cancelled', 'lapsed'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const GRANT_STATUSES = ['active', 'revoked', 'revoke_failed'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

export const REVOKE_REASONS = ['expired', 'released', 'revoked', 'exception_closed'] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

/** Grants whose access may still exist at the provisioner. */
export const LIVE_GRANT_STATUSES: readonly GrantStatus[] = ['active', 'revoke_failed'];
