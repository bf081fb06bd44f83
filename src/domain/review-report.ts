/** The security review (issue 8): what it finds in the history. Pure: the caller reads the data. */

export interface ReviewGrant {
  id: string;
  userId: string;
  resource: string;
  grantedAt: number;
  expiresAt: number;
  status: 'active' | 'revoked' | 'revoke_failed';
  requestId: string | null;
  exceptionId: string | null;
  approvedBy: string | null;
  revokeError: string | null;
}

export interface ReviewException {
  id: string;
  userId: string;
  resource: string;
  mode: string;
  reason: string;
  decidedBy: string | null;
  opensAt: number | null;
  endsAt: number | null;
}

export interface ReviewRequest {
  id: string;
  requesterId: string;
  resource: string;
  status: string;
  createdAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
}

export interface ReviewThresholds {
  /** Grants longer than this count as long-lived. */
  longGrantMs: number;
  /** Requests (or approvals of one person by one approver) this often in the window form a pattern. */
  repeatCount: number;
  /** Approvals faster than this are listed: was anyone really looking? */
  fastApprovalMs: number;
}

export const DEFAULT_THRESHOLDS: ReviewThresholds = { longGrantMs: 8 * 3_600_000, repeatCount: 3, fastApprovalMs: 30_000 };

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/**
 * Builds the review from live grants, open exceptions and the requests of the window
 * (`since` .. `now`). Every list is sorted, so the same history gives the same report.
 */
export function buildReviewReport(input: {
  now: number;
  since: number;
  grants: readonly ReviewGrant[];
  exceptions: readonly ReviewException[];
  requests: readonly ReviewRequest[];
  thresholds?: ReviewThresholds;
}) {
  const t = input.thresholds ?? DEFAULT_THRESHOLDS;
  const live = input.grants.filter((g) => g.status === 'active').sort((a, b) => a.expiresAt - b.expiresAt || a.id.localeCompare(b.id));
  const inWindow = input.requests.filter((r) => r.createdAt >= input.since && r.createdAt < input.now);
  const approved = inWindow.filter((r) => r.status === 'approved' && r.decidedAt !== null && r.decidedBy !== null && r.decidedBy !== 'jitbot');

  const timeToApprove = [...countBy(approved, (r) => r.resource)]
    .map(([resource, rs]) => {
      const waits = rs.map((r) => (r.decidedAt ?? r.createdAt) - r.createdAt).sort((a, b) => a - b);
      return { resource, approvals: rs.length, medianMs: percentile(waits, 50), p90Ms: percentile(waits, 90) };
    })
    .sort((a, b) => a.resource.localeCompare(b.resource));

  return {
    since: input.since,
    until: input.now,
    thresholds: t,
    activeGrants: live,
    longLived: {
      openExceptions: [...input.exceptions].sort((a, b) => (a.endsAt ?? 0) - (b.endsAt ?? 0) || a.id.localeCompare(b.id)),
      standingGrants: live.filter((g) => g.requestId === null && g.exceptionId !== null),
      longGrants: live.filter((g) => g.expiresAt - g.grantedAt > t.longGrantMs),
    },
    failedRevocations: input.grants.filter((g) => g.status === 'revoke_failed').sort((a, b) => a.expiresAt - b.expiresAt),
    patterns: {
      repeatRequesters: [...countBy(inWindow, (r) => `${r.requesterId} ${r.resource}`)]
        .filter(([, rs]) => rs.length >= t.repeatCount)
        .map(([, rs]) => ({ userId: rs[0]?.requesterId ?? '', resource: rs[0]?.resource ?? '', requests: rs.length }))
        .sort((a, b) => b.requests - a.requests || a.userId.localeCompare(b.userId)),
      repeatApprovers: [...countBy(approved, (r) => `${r.decidedBy ?? ''} ${r.requesterId}`)]
        .filter(([, rs]) => rs.length >= t.repeatCount)
        .map(([, rs]) => ({ approverId: rs[0]?.decidedBy ?? '', requesterId: rs[0]?.requesterId ?? '', approvals: rs.length }))
        .sort((a, b) => b.approvals - a.approvals || a.approverId.localeCompare(b.approverId)),
      fastApprovals: approved.filter((r) => (r.decidedAt ?? 0) - r.createdAt < t.fastApprovalMs).sort((a, b) => a.createdAt - b.createdAt),
      denied: inWindow.filter((r) => r.status === 'denied').length,
      lapsed: inWindow.filter((r) => r.status === 'lapsed').length,
    },
    timeToApprove,
  };
}

export type ReviewReport = ReturnType<typeof buildReviewReport>;
