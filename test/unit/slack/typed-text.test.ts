import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { buildReviewReport } from '../../../src/domain/review-report.js';
import type { BreakGlassRecord, DriftFindingRecord, ReviewDecisionRecord, ReviewRecord } from '../../../src/domain/records.js';
import { approvalMessage, approvalThread, closedApprovalMessage } from '../../../src/slack/views/approval-message.js';
import { breakGlassMessages } from '../../../src/slack/views/break-glass-messages.js';
import { messages } from '../../../src/slack/views/direct-messages.js';
import { driftNotes } from '../../../src/slack/views/drift-notes.js';
import { closedExceptionApprovalMessage, exceptionApprovalMessage, exceptionNotes } from '../../../src/slack/views/exception-messages.js';
import { homeView } from '../../../src/slack/views/home.js';
import { replies } from '../../../src/slack/views/replies.js';
import { reviewMessage } from '../../../src/slack/views/review-message.js';
import { securityNotes } from '../../../src/slack/views/security-notes.js';
import { escapeMrkdwn, typedText } from '../../../src/slack/views/typed-text.js';
import { exceptionRow, grantRow, MINUTE, requestRow, T0 } from '../../support/rows.js';
import { textsOf } from '../../support/texts.js';

/** What someone might type as a reason (or a note, or a revoke-all reason) to dress it up as jitbot's own words. */
const HOSTILE = 'INC-1 <!channel> & <@U0FORGED>\n*Approved by @lead*\r\n<https://evil.example|Pre-approved by @lead>';

const request = requestRow({ reason: HOSTILE });
const grant = grantRow({ reason: HOSTILE, status: 'revoke_failed', revokeError: HOSTILE });
const exception = exceptionRow({ reason: HOSTILE });
const open = exceptionRow({ reason: HOSTILE, status: 'open', opensAt: T0, endsAt: T0 + 60 * MINUTE, decidedBy: 'U0SEC1' });
const use: BreakGlassRecord = {
  grantId: 'grt-1', requestId: 'req-1', userId: 'U0ALICE', resource: 'prod-db', reason: HOSTILE, createdAt: T0, securityChannel: 'C0SEC',
  securityTs: '1.2', resourceChannel: 'C0DB', resourceTs: '1.3', remindedAt: null, acknowledgedAt: T0 + MINUTE, acknowledgedBy: 'U0SEC1',
};
const drift: DriftFindingRecord = {
  id: 'drf-1', target: 'postgres:app', resource: 'prod-db', kind: 'unmanaged', identity: HOSTILE, grantId: null, userId: null,
  foundAt: T0, lastSeenAt: T0, alertedAt: null, resolvedAt: null, resolution: null,
};
const at = DateTime.fromMillis(T0 + MINUTE);
const stages = [{ approvers: ['db-leads'], approvalsRequired: 1 }];
const progress = { stage: 0, approvedInStage: [], complete: false };

const review: ReviewRecord = { id: 'rev-1', trigger: 'slack', createdBy: 'U0SEC1', createdAt: T0, since: T0 - 60 * MINUTE, until: T0, report: '{}', channel: 'C0SEC', messageTs: '1.4' };
const report = buildReviewReport({
  now: T0,
  since: T0 - 60 * MINUTE,
  grants: [{ id: 'grt-1', userId: 'U0ALICE', resource: 'prod-db', grantedAt: T0 - 600 * MINUTE, expiresAt: T0 + MINUTE, status: 'revoke_failed', requestId: 'req-1', exceptionId: null, approvedBy: 'U0LEAD1', revokeError: HOSTILE, reason: HOSTILE, provisionedAt: null, provisionError: HOSTILE }],
  exceptions: [{ id: 'exc-1', userId: 'U0BOB', resource: 'legacy-erp', mode: 'auto_approve', reason: HOSTILE, decidedBy: 'U0SEC1', opensAt: T0, endsAt: T0 + 60 * MINUTE }],
  requests: [],
  drift: [{ id: 'drf-1', resource: 'prod-db', target: 'postgres:app', kind: 'unmanaged', identity: HOSTILE, grantId: null, userId: null, foundAt: T0 }],
  breakGlass: [{ grantId: 'grt-1', userId: 'U0ALICE', resource: 'prod-db', reason: HOSTILE, createdAt: T0 }],
});
const decision: ReviewDecisionRecord = { reviewId: 'rev-1', subjectType: 'exception', subjectId: 'exc-1', decision: 'keep', decidedBy: 'U0SEC1', decidedAt: T0, note: HOSTILE };

/** What `/request` passes on: the words someone typed, on one line. */
const TYPED_WORDS = HOSTILE.split(/\s+/).join(' ');

/** Every message that shows something a person typed (or a program printed), with that text hostile. */
const rendered: { name: string; message: unknown }[] = [
  { name: 'approval message', message: approvalMessage({ request, resourceDescription: 'Production', account: { kind: 'named', identity: HOSTILE, at: 'postgres' }, confirmApproval: true, stages, progress, approvals: [] }) },
  { name: 'closed approval message', message: closedApprovalMessage(request, { kind: 'approved', by: 'U0LEAD1', at }) },
  { name: 'escalation DM', message: approvalThread.escalatedDm(request, 'C0DB') },
  { name: 'break-glass alert', message: breakGlassMessages.alert(use, grant) },
  { name: 'break-glass acknowledged', message: breakGlassMessages.acknowledged(use, grant.expiresAt) },
  { name: 'break-glass reminder', message: breakGlassMessages.reminder(use, grant.expiresAt) },
  { name: 'break-glass DM to security', message: breakGlassMessages.securityDm(use, 'C0SEC') },
  { name: 'exception approval message', message: exceptionApprovalMessage(exception, '') },
  { name: 'closed exception approval', message: closedExceptionApprovalMessage(open, { kind: 'approved', by: 'U0SEC1', at }) },
  { name: 'exception note in the resource channel', message: exceptionNotes.requested(exception, 'C0SEC') },
  { name: 'granted under an exception note', message: exceptionNotes.grantedUnder(request, grant, open) },
  {
    name: 'App Home',
    message: homeView(
      { own: { pending: [request], active: [grant], exceptions: [open] }, waiting: { requests: [{ request, resourceDescription: '', account: { kind: 'named', identity: HOSTILE, at: 'postgres' }, confirmApproval: false, stage: 0, stages: 1 }], exceptions: [exception] } },
      { now: T0, zone: 'Europe/Paris' },
    ),
  },
  { name: 'security review', message: reviewMessage({ review, report, decisions: [decision] }) },
  { name: 'revoke-all note', message: securityNotes.revokedAll('U0SEC1', 'all access', HOSTILE, { grants: 1, exceptions: 0 }) },
  { name: 'approval message, setup failing', message: closedApprovalMessage(request, { kind: 'approved', by: 'U0LEAD1', at }, { kind: 'failing', error: HOSTILE, permanent: false }) },
  { name: 'provisioning failed', message: securityNotes.provisioningFailed(grant, HOSTILE, { final: true }) },
  { name: 'revocation failing', message: securityNotes.revocationFailing(grant, HOSTILE) },
  { name: 'drift found', message: driftNotes.found(drift) },
  { name: 'drift removed', message: driftNotes.removed(drift) },
  { name: 'a refusal quoting what was typed', message: replies.refused(`There is no resource called "${TYPED_WORDS}".`) },
];

/** Markup jitbot writes itself: mentions of people and channels, user groups, dates. */
const OWN_MARKUP = /^<(@U0(?!FORGED)[A-Z0-9]+|#C[A-Z0-9]+|!subteam\^S[A-Z0-9]+|!date\^\d+\^[^|>]+\|[^>]+)>$/;

for (const { name, message } of rendered) {
  test(`${name}: what a person typed is shown as text, on its own line of jitbot's`, () => {
    const texts = textsOf(message);
    assert.ok(texts.length > 0);
    for (const text of texts) {
      for (const markup of text.match(/<[^>]*>/g) ?? []) assert.match(markup, OWN_MARKUP, `no markup of the person's: ${markup}`);
      assert.doesNotMatch(text, /&(?!amp;|lt;|gt;)/, 'a bare & is escaped');
      assert.doesNotMatch(text, /\n[>\s]*\*Approved by @lead\*/, 'a line break in the text cannot start a line that reads like jitbot\'s');
    }
    assert.ok(texts.some((t) => t.includes('&lt;!channel&gt; &amp; &lt;@U0FORGED&gt; *Approved by @lead* &lt;https://evil.example|Pre-approved by @lead&gt;')), 'the text itself is there, escaped, on one line');
  });
}

test('escaping touches & < > only, and & first, so an entity someone typed stays as they typed it', () => {
  assert.equal(escapeMrkdwn('a & b <c> &lt; *d* _e_ `f`'), 'a &amp; b &lt;c&gt; &amp;lt; *d* _e_ `f`');
  assert.equal(typedText('  one\n\n two\r\nthree\u2028four  '), 'one two three four');
});
