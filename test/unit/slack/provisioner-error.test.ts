import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { approvalThread, closedApprovalMessage } from '../../../src/slack/views/approval-message.js';
import { messages, setupTroubleLine } from '../../../src/slack/views/direct-messages.js';
import { reviewMessage } from '../../../src/slack/views/review-message.js';
import { securityNotes } from '../../../src/slack/views/security-notes.js';
import { buildReviewReport } from '../../../src/domain/review-report.js';
import { grantRow, MINUTE, requestRow, T0 } from '../../support/rows.js';

// As a row written before errors were redacted at the source could still hold it.
const LEAKY = 'webhook: HTTP 500 from http://svc:hunter2@hooks.internal/grant?code=s3cret: receiver says postgres://app:b0dy-pw@db/x is down';
const SECRETS = ['hunter2', 's3cret', 'b0dy-pw'];
const grant = grantRow({ status: 'provision_failed', provisionedAt: null, provisionError: LEAKY, revokeError: LEAKY });
const request = requestRow();
const at = DateTime.fromMillis(T0 + MINUTE);

test("jitbot's own words reach the requester, with the grant's ID, when they quote nothing from outside", () => {
  const own = 'postgres: login "jdoe" does not exist in the database; create it, or map the person in provisioner.login';
  for (const text of [messages.setupFailing(grant, true, own), messages.setupGaveUp(grant, own)]) {
    assert.ok(text.includes(`(grant \`${grant.id}\`: ${own})`), text);
    assert.doesNotMatch(text, /security team has the details/);
  }
});

test("the requester is told their access is not set up, with the grant's ID, and never the error", () => {
  for (const text of [messages.setupFailing(grant, false), messages.setupFailing(grant, true), messages.setupGaveUp(grant), setupTroubleLine(grant) ?? '']) {
    assert.ok(text.includes(grant.id), text);
    assert.match(text, /the security team has the details/);
    assert.doesNotMatch(text, /webhook|HTTP 500|hooks\.internal/, text);
  }
});

test('approvers and security read the error with URLs as origin and path and connection strings without credentials', () => {
  const report = buildReviewReport({ now: T0, since: T0 - 7 * 24 * 60 * MINUTE, grants: [{ ...grant, approvedBy: 'U0LEAD1' }], exceptions: [], requests: [] });
  const shown = [
    JSON.stringify(closedApprovalMessage(request, { kind: 'approved', by: 'U0LEAD1', at }, { kind: 'failing', error: LEAKY, permanent: false })),
    approvalThread.setupFailed(grant, LEAKY, true),
    securityNotes.provisioningFailed(grant, LEAKY, { final: true }),
    securityNotes.revocationFailing(grant, LEAKY),
    securityNotes.revocationSucceeded(grant, LEAKY),
    JSON.stringify(reviewMessage({ review: { id: 'rev-1', trigger: 'slack', createdBy: 'U0SEC1', createdAt: T0, since: T0, until: T0, report: '{}', channel: 'C0SEC', messageTs: '1.2' }, report, decisions: [] })),
  ];
  for (const text of shown) {
    assert.match(text, /http:\/\/hooks\.internal\/grant/, text);
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} in ${text}`);
  }
});
