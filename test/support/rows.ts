import type { ExceptionRecord, GrantRecord, RequestRecord } from '../../src/domain/records.js';

/** Rows as the store returns them, for testing views without a database. */
export const T0 = Date.UTC(2026, 10, 25, 12, 0);
export const MINUTE = 60_000;

export const requestRow = (overrides: Partial<RequestRecord> = {}): RequestRecord => ({
  id: 'req-1', requesterId: 'U0ALICE', requesterEmail: null, resource: 'prod-db', durationMs: 30 * MINUTE, reason: 'INC-1',
  status: 'pending', policyVersion: 'v1', createdAt: T0, decidedAt: null, decidedBy: null, approvalChannel: null,
  approvalTs: null, escalatedAt: null, startsAt: null, extendsGrantId: null, ...overrides,
});

export const grantRow = (overrides: Partial<GrantRecord> = {}): GrantRecord => ({
  id: 'grt-1', requestId: 'req-1', exceptionId: null, userId: 'U0ALICE', userEmail: null, resource: 'prod-db', reason: 'INC-1',
  grantedAt: T0, expiresAt: T0 + 90 * MINUTE, status: 'active', provisionedAt: T0, provisionError: null,
  endRequestedReason: null, endRequestedBy: null, endRequestedAt: null, revokeReason: null, revokedAt: null, revokedBy: null, revokeError: null,
    revokeAlertedAt: null, revokeAlertChannel: null, revokeAlertTs: null, revokeClaimedBy: null, revokeClaimUntil: null,
  warnedAt: null, extensions: 0, ...overrides,
});

export const exceptionRow = (overrides: Partial<ExceptionRecord> = {}): ExceptionRecord => ({
  id: 'exc-1', userId: 'U0BOB', userEmail: null, resource: 'legacy-erp', mode: 'auto_approve', durationMs: 24 * 60 * MINUTE,
  reason: 'batch', status: 'pending', policyVersion: 'v1', createdAt: T0, decidedAt: null, decidedBy: null, opensAt: null,
  endsAt: null, warnedAt: null, closeReason: null, closedAt: null, closedBy: null, approvalChannel: null, approvalTs: null,
  ...overrides,
});
