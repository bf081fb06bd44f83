import { Duration } from 'luxon';
import { formatDuration } from '../domain/duration.js';
import type { ReviewReport } from '../domain/review-report.js';

const iso = (millis: number | null) => (millis === null ? '—' : new Date(millis).toISOString().replace('.000Z', 'Z'));
const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  if (rows.length === 0) return '_None._\n';
  const line = (cells: readonly (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

/** The review as a Markdown document: what an auditor is handed as access-review evidence. */
export function reviewMarkdown(report: ReviewReport): string {
  const { longLived, patterns, thresholds } = report;
  return [
    `# jitbot security review`,
    ``,
    `Window: ${iso(report.since)} to ${iso(report.until)}.`,
    ``,
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
  ].join('\n');
}
