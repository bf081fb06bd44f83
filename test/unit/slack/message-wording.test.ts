import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime, Duration } from 'luxon';
import type { BreakGlassRecord } from '../../../src/domain/records.js';
import { approvalMessage, closedApprovalMessage } from '../../../src/slack/views/approval-message.js';
import { breakGlassMessages } from '../../../src/slack/views/break-glass-messages.js';
import { expiryWarning, messages } from '../../../src/slack/views/direct-messages.js';
import { closedExceptionApprovalMessage, exceptionApprovalMessage } from '../../../src/slack/views/exception-messages.js';
import { extendedView, extendModal } from '../../../src/slack/views/extend-modal.js';
import { homeView } from '../../../src/slack/views/home.js';
import { replies } from '../../../src/slack/views/replies.js';
import { reviewMessage } from '../../../src/slack/views/review-message.js';
import { buildReviewReport } from '../../../src/domain/review-report.js';
import { securityNotes } from '../../../src/slack/views/security-notes.js';
import { exceptionRow, grantRow, MINUTE, requestRow, T0 } from '../../support/rows.js';

// Odd lengths on purpose: 1 h 30 min 20 s, so a rounding or unit slip shows.
const ODD = 90 * MINUTE + 20_000;
const request = requestRow({ durationMs: ODD, startsAt: T0 + 60 * MINUTE });
const extension = requestRow({ id: 'req-2', durationMs: 60 * MINUTE, extendsGrantId: 'grt-1' });
const grant = grantRow({ expiresAt: T0 + ODD, revokedAt: T0 + ODD });
const open = exceptionRow({ status: 'open', opensAt: T0, endsAt: T0 + ODD, decidedBy: 'U0SEC1' });
const use: BreakGlassRecord = {
  grantId: 'grt-1', requestId: 'req-1', userId: 'U0ALICE', resource: 'prod-db', reason: 'fire', createdAt: T0, securityChannel: 'C0SEC',
  securityTs: '1.2', resourceChannel: 'C0DB', resourceTs: '1.3', remindedAt: null, acknowledgedAt: T0 + MINUTE, acknowledgedBy: 'U0SEC1',
};
const at = DateTime.fromMillis(T0 + MINUTE);
const zone = 'Europe/Paris';
const stages = [{ approvers: ['db-leads'], approvalsRequired: 1 }];
const progress = { stage: 0, approvedInStage: [], complete: false };

/** Everything people read, one entry per message, with what each must show. */
const rendered: { name: string; text: string; hasTime: boolean }[] = [
  { name: 'approval message', text: JSON.stringify(approvalMessage({ request, resourceDescription: '', account: { kind: 'named', identity: 'alice', at: 'postgres' }, confirmApproval: true, stages, progress, approvals: [] })), hasTime: true },
  { name: 'extension approval message', text: JSON.stringify(approvalMessage({ request: extension, resourceDescription: '', account: { kind: 'as_person' }, confirmApproval: false, stages, progress, approvals: [] })), hasTime: false },
  { name: 'closed approval message', text: JSON.stringify(closedApprovalMessage(request, { kind: 'approved', by: 'U0LEAD1', at })), hasTime: true },
  ...(['approved', 'denied', 'lapsed', 'withdrawn'] as const).flatMap((kind) => [
    { name: `decision DM (${kind})`, text: messages.requestDecided(request, { kind, by: 'U0LEAD1', at }), hasTime: false },
    { name: `extension decision DM (${kind})`, text: messages.requestDecided(extension, { kind, by: 'U0LEAD1', at }), hasTime: false },
  ]),
  { name: 'access active DM', text: messages.accessActive(grant, zone), hasTime: true },
  { name: 'access extended DM', text: messages.accessExtended(grant, zone), hasTime: true },
  { name: 'expiry warning DM', text: JSON.stringify(expiryWarning(grant, zone)), hasTime: true },
  { name: 'access ended DM', text: JSON.stringify(messages.accessEnded(grant, 'expired', 'jitbot', zone)), hasTime: true },
  { name: 'exception approval message', text: JSON.stringify(exceptionApprovalMessage(exceptionRow({ durationMs: ODD }), '')), hasTime: false },
  { name: 'closed exception approval', text: JSON.stringify(closedExceptionApprovalMessage(open, { kind: 'approved', by: 'U0SEC1', at })), hasTime: true },
  { name: 'exception decided DM', text: messages.exceptionDecided(open, { kind: 'approved', by: 'U0SEC1', at }, zone), hasTime: true },
  { name: 'exception closing soon DM', text: messages.exceptionClosingSoon(open, zone), hasTime: true },
  { name: 'break-glass alert', text: JSON.stringify(breakGlassMessages.alert(use, grant)), hasTime: true },
  { name: 'break-glass acknowledged', text: JSON.stringify(breakGlassMessages.acknowledged(use, grant.expiresAt)), hasTime: true },
  { name: '/request list', text: replies.list({ pending: [request, extension], active: [grant], exceptions: [open] }, zone), hasTime: true },
  { name: 'request reply', text: replies.requested(request, 'C0DB', true), hasTime: true },
  { name: 'App Home', text: JSON.stringify(homeView({ own: { pending: [request], active: [grant], exceptions: [open] }, waiting: { requests: [{ request: extension, resourceDescription: '', account: { kind: 'unmapped', at: 'postgres' }, confirmApproval: true, stage: 0, stages: 1 }], exceptions: [exceptionRow({ durationMs: ODD })] } }, { now: T0, zone })), hasTime: true },
  { name: 'Extend form', text: JSON.stringify(extendModal({ grant, choicesMs: [15 * MINUTE, ODD], approvalChoicesMs: [120 * MINUTE] })), hasTime: true },
  { name: 'Extend form, sent', text: JSON.stringify(extendedView({ kind: 'requested', request: extension, posted: true })), hasTime: false },
  {
    name: 'security review',
    text: JSON.stringify(
      reviewMessage({
        review: { id: 'rev-1', trigger: 'slack', createdBy: 'U0SEC1', createdAt: T0, since: T0 - 7 * 24 * 60 * MINUTE, until: T0, report: '{}', channel: 'C0SEC', messageTs: '1.2' },
        report: buildReviewReport({ now: T0, since: T0 - 7 * 24 * 60 * MINUTE, grants: [{ ...grant, approvedBy: 'U0LEAD1' }], exceptions: [], requests: [] }),
        decisions: [],
      }).blocks,
    ),
    hasTime: true,
  },
  { name: 'break-glass reply', text: replies.breakGlassGranted({ request, grant, use, cappedFrom: Duration.fromObject({ hours: 3 }) }), hasTime: false },
  { name: 'setup failing DM', text: messages.setupFailing(grant, false), hasTime: false },
  { name: 'setup given up DM', text: messages.setupGaveUp(grant), hasTime: false },
  { name: 'setup recovered DM', text: messages.setupRecovered(grant, zone), hasTime: true },
  { name: 'approval message, setup failing', text: JSON.stringify(closedApprovalMessage(request, { kind: 'approved', by: 'U0LEAD1', at }, { kind: 'failing', error: 'postgres: login "jdoe" does not exist', permanent: true })), hasTime: true },
  { name: 'approval message, setup recovered', text: JSON.stringify(closedApprovalMessage(request, { kind: 'approved', by: 'U0LEAD1', at }, { kind: 'recovered' })), hasTime: true },
  { name: 'revocation overdue alert', text: securityNotes.revocationFailing(grantRow({ endRequestedAt: T0 + MINUTE }), 'webhook: HTTP 500'), hasTime: true },
  { name: 'revocation succeeded alert', text: securityNotes.revocationSucceeded(grant, 'webhook: HTTP 500'), hasTime: true },
  { name: '/request list, setup failed', text: replies.list({ pending: [], active: [grantRow({ status: 'provision_failed', provisionedAt: null, provisionError: 'webhook: HTTP 500' })], exceptions: [] }, zone), hasTime: true },
];

/** Code spans are what people type back (`/request prod-db 30m …`) or IDs: not prose. */
const prose = (text: string) => text.replace(/`[^`]*`/g, '');

for (const { name, text, hasTime } of rendered) {
  test(`${name}: times as Slack date tokens, durations in words`, () => {
    const words = prose(text);
    assert.doesNotMatch(words, /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/, 'no ISO timestamps');
    assert.doesNotMatch(words, /\b\d{13}\b/, 'no epoch milliseconds');
    assert.doesNotMatch(words, /\b\d+(ms|[smhd])\b|\bPT\d/, 'no compact or ISO durations in prose');
    assert.doesNotMatch(words, /\b60 s\b|\b60 min\b|\b24 h\b/, 'units carry over');
    if (hasTime) assert.match(text, /<!date\^\d{10}\^\{date_short_pretty\} at \{time\}\|[^>]+>/, 'each reader sees their own time zone');
  });
}

test('DMs fall back to the reader\'s own zone where Slack cannot render the token', () => {
  assert.match(messages.accessActive(grant, 'Europe/Paris'), /\|Wed, 25 Nov 2026, 14:30 CET>/);
  assert.match(messages.accessActive(grant, 'America/New_York'), /\|Wed, 25 Nov 2026, 08:30 GMT-5>/);
});

test('a revocation alert names when the access should have gone: the release, if before the expiry', () => {
  const released = grantRow({ endRequestedReason: 'released', endRequestedAt: T0 + MINUTE, expiresAt: T0 + 90 * MINUTE });
  assert.match(securityNotes.revocationFailing(released, 'x'), new RegExp(`due to end <!date\\^${Math.floor((T0 + MINUTE) / 1000)}\\^`));
  assert.match(securityNotes.revocationFailing({ ...released, status: 'revoke_failed' }, 'x'), /Revocation failed.*`revoke_failed`.*keeps retrying/);
});
