/** The security review (issue 8): what it finds in the history. Pure: the caller reads the data. */
import { z } from 'zod';
import { DRIFT_KINDS } from './drift.js';
import { GRANT_STATUSES, isStandingGrant, setupTrouble } from './states.js';


const time = z.number().int();

export const reviewGrantSchema = z.object({
  id: z.string(),
  userId: z.string(),
  resource: z.string(),
  grantedAt: time,
  expiresAt: time,
  status: z.enum(GRANT_STATUSES),
  requestId: z.string().nullable(),
  exceptionId: z.string().nullable(),
  approvedBy: z.string().nullable(),
  revokeError: z.string().nullable(),
  /** Why it was asked for (reports stored before reasons were listed have none). */
  reason: z.string().default(''),
  /** Reports stored before the setup states have neither: their grants read as set up. */
  provisionedAt: time.nullable().default(0),
  provisionError: z.string().nullable().default(null),
});
export type ReviewGrant = z.infer<typeof reviewGrantSchema>;

export const reviewExceptionSchema = z.object({
  id: z.string(),
  userId: z.string(),
  resource: z.string(),
  mode: z.string(),
  reason: z.string(),
  decidedBy: z.string().nullable(),
  opensAt: time.nullable(),
  endsAt: time.nullable(),
});
export type ReviewException = z.infer<typeof reviewExceptionSchema>;

export const reviewRequestSchema = z.object({
  id: z.string(),
  requesterId: z.string(),
  resource: z.string(),
  status: z.string(),
  createdAt: time,
  decidedAt: time.nullable(),
  decidedBy: z.string().nullable(),
});
export type ReviewRequest = z.infer<typeof reviewRequestSchema>;

export const reviewDriftSchema = z.object({
  id: z.string(),
  resource: z.string(),
  target: z.string(),
  kind: z.enum(DRIFT_KINDS),
  identity: z.string(),
  grantId: z.string().nullable(),
  userId: z.string().nullable(),
  foundAt: time,
});
export type ReviewDrift = z.infer<typeof reviewDriftSchema>;

export const reviewBreakGlassSchema = z.object({
  grantId: z.string(),
  userId: z.string(),
  resource: z.string(),
  reason: z.string(),
  createdAt: time,
});
export type ReviewBreakGlass = z.infer<typeof reviewBreakGlassSchema>;

const reviewThresholdsSchema = z.object({
  /** Grants longer than this count as long-lived. */
  longGrantMs: z.number(),
  /** Requests (or approvals of one person by one approver) this often in the window form a pattern. */
  repeatCount: z.number().int(),
  /** Approvals faster than this are listed: was anyone really looking? */
  fastApprovalMs: z.number(),
});
export type ReviewThresholds = z.infer<typeof reviewThresholdsSchema>;

/** A finished report, as stored with its review record and read back (older records included). */
export const reviewReportSchema = z.object({
  since: time,
  until: time,
  thresholds: reviewThresholdsSchema,
  activeGrants: z.array(reviewGrantSchema),
  longLived: z.object({
    openExceptions: z.array(reviewExceptionSchema),
    standingGrants: z.array(reviewGrantSchema),
    longGrants: z.array(reviewGrantSchema),
  }),
  failedRevocations: z.array(reviewGrantSchema),
  /** Grants not ended whose setup failed or keeps failing: not access anyone has (reports stored before this have none). */
  notSetUp: z.array(reviewGrantSchema).default([]),
  /** Open drift findings (reports stored before drift detection have none). */
  drift: z.array(reviewDriftSchema).default([]),
  /** Break-glass uses nobody has acknowledged yet, however old. */
  unacknowledgedBreakGlass: z.array(reviewBreakGlassSchema).default([]),
  patterns: z.object({
    repeatRequesters: z.array(z.object({ userId: z.string(), resource: z.string(), requests: z.number().int() })),
    repeatApprovers: z.array(z.object({ approverId: z.string(), requesterId: z.string(), approvals: z.number().int() })),
    fastApprovals: z.array(reviewRequestSchema),
    denied: z.number().int(),
    lapsed: z.number().int(),
  }),
  timeToApprove: z.array(z.object({ resource: z.string(), approvals: z.number().int(), medianMs: z.number(), p90Ms: z.number() })),
});
export type ReviewReport = z.infer<typeof reviewReportSchema>;

const DEFAULT_THRESHOLDS: ReviewThresholds = { longGrantMs: 8 * 3_600_000, repeatCount: 3, fastApprovalMs: 30_000 };

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
  drift?: readonly ReviewDrift[];
  breakGlass?: readonly ReviewBreakGlass[];
  thresholds?: ReviewThresholds;
}): ReviewReport {
  const t = input.thresholds ?? DEFAULT_THRESHOLDS;
  const byEnd = (a: ReviewGrant, b: ReviewGrant) => a.expiresAt - b.expiresAt || a.id.localeCompare(b.id);
  const live = input.grants.filter((g) => g.status === 'active' && setupTrouble(g) === undefined).sort(byEnd);
  const notSetUp = input.grants.filter((g) => g.status !== 'revoke_failed' && setupTrouble(g) !== undefined).sort(byEnd);
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
      standingGrants: live.filter(isStandingGrant),
      longGrants: live.filter((g) => g.expiresAt - g.grantedAt > t.longGrantMs),
    },
    failedRevocations: input.grants.filter((g) => g.status === 'revoke_failed').sort((a, b) => a.expiresAt - b.expiresAt),
    notSetUp,
    drift: [...(input.drift ?? [])].sort((a, b) => a.foundAt - b.foundAt || a.id.localeCompare(b.id)),
    unacknowledgedBreakGlass: [...(input.breakGlass ?? [])].sort((a, b) => a.createdAt - b.createdAt || a.grantId.localeCompare(b.grantId)),
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

/** What a reviewer decides on (`keep` / `revoke`): an open exception or an active grant. */
export interface ReviewItem {
  subjectType: 'grant' | 'exception';
  subjectId: string;
  userId: string;
  resource: string;
  until: number | null;
}

/** One line of the review's access listing: the item, and what a reviewer reads about it. */
export interface ReviewEntry {
  item: ReviewItem;
  since: number | null;
  /** The approver (`jitbot` for break-glass and opt-out grants), or null when none is recorded. */
  approvedBy: string | null;
  reason: string;
  /** An open exception or a grant longer than the threshold: listed first. */
  longLived: boolean;
  /** The grant a standing exception holds open: it ends with the exception, so it is decided with it. */
  standingGrantId: string | null;
}

/**
 * Everything the review counts, in the order it is shown (Slack, Markdown): the long-lived
 * items first (open exceptions, then long grants), then every other active grant, soonest
 * end first. A standing grant goes with its open exception rather than on a line of its own.
 */
export function reviewListing(report: ReviewReport): ReviewEntry[] {
  const exceptionIds = new Set(report.longLived.openExceptions.map((e) => e.id));
  const withItsException = (g: ReviewGrant) => isStandingGrant(g) && g.exceptionId !== null && exceptionIds.has(g.exceptionId);
  const standingOf = new Map(report.activeGrants.filter(withItsException).map((g) => [g.exceptionId, g.id]));
  const longIds = new Set(report.longLived.longGrants.map((g) => g.id));
  const grantEntry = (g: ReviewGrant, longLived: boolean): ReviewEntry => ({
    item: { subjectType: 'grant', subjectId: g.id, userId: g.userId, resource: g.resource, until: g.expiresAt },
    since: g.grantedAt,
    approvedBy: g.approvedBy,
    reason: g.reason,
    longLived,
    standingGrantId: null,
  });
  return [
    ...report.longLived.openExceptions.map((e) => ({
      item: { subjectType: 'exception' as const, subjectId: e.id, userId: e.userId, resource: e.resource, until: e.endsAt },
      since: e.opensAt,
      approvedBy: e.decidedBy,
      reason: e.reason,
      longLived: true,
      standingGrantId: standingOf.get(e.id) ?? null,
    })),
    ...report.longLived.longGrants.filter((g) => !withItsException(g)).map((g) => grantEntry(g, true)),
    ...report.activeGrants.filter((g) => !longIds.has(g.id) && !withItsException(g)).map((g) => grantEntry(g, false)),
  ];
}

/** The long-lived items: the head of the listing. */
export const reviewItems = (report: ReviewReport): ReviewItem[] =>
  reviewListing(report)
    .filter((e) => e.longLived)
    .map((e) => e.item);
