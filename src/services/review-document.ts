import { stringify } from 'csv-stringify/sync';
import { Duration } from 'luxon';
import { formatDuration } from '../domain/duration.js';
import { reviewListing, type ReviewEntry, type ReviewGrant } from '../domain/review-report.js';
import type { PostedReview } from './ports.js';

const iso = (millis: number | null) => (millis === null ? '—' : new Date(millis).toISOString().replace('.000Z', 'Z'));
const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  if (rows.length === 0) return '_None._\n';
  const line = (cells: readonly (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

function entryKind({ item, longLived, standingGrantId }: ReviewEntry): string {
  if (item.subjectType === 'exception') return standingGrantId === null ? 'opt-out exception' : `opt-out exception, with standing grant ${standingGrantId}`;
  return longLived ? 'grant, long-lived' : 'grant';
}

const ranBy = ({ review }: PostedReview) => (review.trigger === 'schedule' ? 'the schedule' : review.trigger === 'cli' ? `\`jitbot review\` (${review.createdBy})` : `${review.createdBy} in Slack`);

/**
 * The review as a Markdown document: what an auditor is handed as access-review evidence
 * (SOC 2 / ISO 27001): what was found, and who decided what about each item it lists.
 */
export function reviewMarkdown(record: PostedReview): string {
  const { review, report, decisions } = record;
  const { longLived, patterns, thresholds } = report;
  const decisionOf = new Map(decisions.map((d) => [d.subjectId, d]));
  const listing = reviewListing(report);
  return [
    `# jitbot security review ${review.id}`,
    ``,
    `Run by ${ranBy(record)} at ${iso(review.createdAt)}. Window: ${iso(report.since)} to ${iso(report.until)}.`,
    ``,
    `## Access to review (${listing.length})`,
    `Long-lived access first, then every other active grant, soonest end first: the list the Slack message shows with Keep / Revoke.`,
    ``,
    table(
      ['item', 'what', 'who', 'resource', 'since', 'until', 'approved by', 'reason'],
      listing.map((e) => [e.item.subjectId, entryKind(e), e.item.userId, e.item.resource, iso(e.since), iso(e.item.until), e.approvedBy ?? '—', e.reason]),
    ),
    `## Active grants (${report.activeGrants.length})`,
    table(['grant', 'who', 'resource', 'since', 'until', 'approved by'], report.activeGrants.map((g) => [g.id, g.userId, g.resource, iso(g.grantedAt), iso(g.expiresAt), g.approvedBy ?? '—'])),
    `## Long-lived access`,
    `### Open opt-out exceptions (${longLived.openExceptions.length})`,
    table(['exception', 'who', 'resource', 'mode', 'until', 'approved by', 'reason'], longLived.openExceptions.map((e) => [e.id, e.userId, e.resource, e.mode, iso(e.endsAt), e.decidedBy ?? '—', e.reason])),
    `### Standing grants (${longLived.standingGrants.length})`,
    table(['grant', 'who', 'resource', 'exception', 'until'], longLived.standingGrants.map((g) => [g.id, g.userId, g.resource, g.exceptionId ?? '—', iso(g.expiresAt)])),
    `### Grants longer than ${formatDuration(Duration.fromMillis(thresholds.longGrantMs))} (${longLived.longGrants.length})`,
    table(['grant', 'who', 'resource', 'since', 'until'], longLived.longGrants.map((g) => [g.id, g.userId, g.resource, iso(g.grantedAt), iso(g.expiresAt)])),
    `## Failed revocations (${report.failedRevocations.length})`,
    table(['grant', 'who', 'resource', 'due', 'last error'], report.failedRevocations.map((g) => [g.id, g.userId, g.resource, iso(g.expiresAt), g.revokeError ?? '—'])),
    `## Approved but not set up (${report.notSetUp.length})`,
    table(['grant', 'who', 'resource', 'until', 'setup', 'last error'], report.notSetUp.map((g) => [g.id, g.userId, g.resource, iso(g.expiresAt), g.status === 'provision_failed' ? 'failed' : 'failing', g.provisionError ?? '—'])),
    `## Unacknowledged break-glass uses (${report.unacknowledgedBreakGlass.length})`,
    table(['grant', 'who', 'resource', 'when', 'reason'], report.unacknowledgedBreakGlass.map((b) => [b.grantId, b.userId, b.resource, iso(b.createdAt), b.reason])),
    `## Drift: access the grants do not explain (${report.drift.length})`,
    table(
      ['finding', 'resource', 'kind', 'who', 'grant', 'found'],
      report.drift.map((d) => [d.id, d.resource, d.kind === 'unmanaged' ? 'held without a grant' : 'grant without access', d.identity, d.grantId ?? '—', iso(d.foundAt)]),
    ),
    `## Patterns`,
    `### The same resource asked for ${thresholds.repeatCount} times or more (consider an opt-out or a policy change)`,
    table(['who', 'resource', 'requests'], patterns.repeatRequesters.map((p) => [p.userId, p.resource, p.requests])),
    `### One approver approving one requester ${thresholds.repeatCount} times or more`,
    table(['approver', 'requester', 'approvals'], patterns.repeatApprovers.map((p) => [p.approverId, p.requesterId, p.approvals])),
    `### Approved in under ${formatDuration(Duration.fromMillis(thresholds.fastApprovalMs))}`,
    table(['request', 'who', 'resource', 'approved by', 'after'], patterns.fastApprovals.map((r) => [r.id, r.requesterId, r.resource, r.decidedBy ?? '—', `${(((r.decidedAt ?? r.createdAt) - r.createdAt) / 1000).toFixed(0)} s`])),
    `Denied: ${patterns.denied}. Lapsed: ${patterns.lapsed}.`,
    ``,
    `## Time to approve`,
    table(['resource', 'approvals', 'median', 'p90'], report.timeToApprove.map((r) => [r.resource, r.approvals, minutes(r.medianMs), minutes(r.p90Ms)])),
    `## Decisions`,
    table(
      ['item', 'who', 'resource', 'decision', 'by', 'at', 'note'],
      listing.map(({ item }) => {
        const d = decisionOf.get(item.subjectId);
        return [item.subjectId, item.userId, item.resource, d?.decision ?? 'undecided', d?.decidedBy ?? '—', iso(d?.decidedAt ?? null), d?.note ?? ''];
      }),
    ),
  ].join('\n');
}

const CSV_COLUMNS = ['review_id', 'finding', 'subject_id', 'user_id', 'resource', 'since', 'until', 'approved_by', 'detail', 'decision', 'decided_by', 'decided_at', 'note'] as const;

/**
 * The review as CSV: one row per access finding (active, long-lived, failed to revoke) with
 * the decision taken on it, for the spreadsheet an access review is usually kept in.
 */
export function reviewCsv(record: PostedReview): string {
  const { review, report, decisions } = record;
  const decisionOf = new Map(decisions.map((d) => [d.subjectId, d]));
  const isoOrEmpty = (millis: number | null | undefined) => (millis === null || millis === undefined ? '' : new Date(millis).toISOString());
  const row = (finding: string, f: { id: string; userId: string; resource: string; since: number | null; until: number | null; approvedBy: string | null; detail: string }) => {
    const d = decisionOf.get(f.id);
    return [review.id, finding, f.id, f.userId, f.resource, isoOrEmpty(f.since), isoOrEmpty(f.until), f.approvedBy ?? '', f.detail, d?.decision ?? '', d?.decidedBy ?? '', isoOrEmpty(d?.decidedAt), d?.note ?? ''];
  };
  const grant = (g: ReviewGrant, detail = '') => ({ id: g.id, userId: g.userId, resource: g.resource, since: g.grantedAt, until: g.expiresAt, approvedBy: g.approvedBy, detail });
  return stringify([
    CSV_COLUMNS,
    ...report.activeGrants.map((g) => row('active_grant', grant(g, g.reason))),
    ...report.longLived.openExceptions.map((e) =>
      row('open_exception', { id: e.id, userId: e.userId, resource: e.resource, since: e.opensAt, until: e.endsAt, approvedBy: e.decidedBy, detail: `${e.mode}: ${e.reason}` }),
    ),
    ...report.longLived.standingGrants.map((g) => row('standing_grant', grant(g, `exception ${g.exceptionId ?? ''}`))),
    ...report.longLived.longGrants.map((g) => row('long_grant', grant(g))),
    ...report.failedRevocations.map((g) => row('failed_revocation', grant(g, g.revokeError ?? ''))),
    ...report.notSetUp.map((g) => row('not_set_up', grant(g, g.provisionError ?? ''))),
    ...report.unacknowledgedBreakGlass.map((b) =>
      row('unacknowledged_break_glass', { id: b.grantId, userId: b.userId, resource: b.resource, since: b.createdAt, until: null, approvedBy: null, detail: b.reason }),
    ),
    ...report.drift.map((d) =>
      row(`drift_${d.kind}`, { id: d.id, userId: d.userId ?? '', resource: d.resource, since: d.foundAt, until: null, approvedBy: null, detail: `${d.identity} at ${d.target}${d.grantId ? ` (grant ${d.grantId})` : ''}` }),
    ),
  ]);
}
