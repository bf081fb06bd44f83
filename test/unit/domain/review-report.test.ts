import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReviewReport, reviewItems, reviewListing, reviewReportSchema, type ReviewGrant, type ReviewRequest } from '../../../src/domain/review-report.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const H = 3_600_000;
const DAY = 24 * H;

const grant = (id: string, over: Partial<ReviewGrant>): ReviewGrant => ({
  id, userId: 'U0ALICE', resource: 'prod-db', grantedAt: NOW - H, expiresAt: NOW + H, status: 'active',
  requestId: `req-${id}`, exceptionId: null, approvedBy: 'U0LEAD1', revokeError: null, reason: `reason of ${id}`, provisionedAt: NOW - H, provisionError: null, ...over,
});
const request = (id: string, over: Partial<ReviewRequest>): ReviewRequest => ({
  id, requesterId: 'U0ALICE', resource: 'prod-db', status: 'approved', createdAt: NOW - DAY, decidedAt: NOW - DAY + 10 * 60_000, decidedBy: 'U0LEAD1', ...over,
});

test('the review finds active, long-lived and failed access, patterns, and time to approve', () => {
  const report = buildReviewReport({
    now: NOW,
    since: NOW - 7 * DAY,
    grants: [
      grant('short', {}),
      grant('long', { grantedAt: NOW - 10 * H, expiresAt: NOW + 2 * H }),
      grant('standing', { requestId: null, exceptionId: 'exc-1' }),
      grant('stuck', { status: 'revoke_failed', expiresAt: NOW - H, revokeError: 'HTTP 503' }),
    ],
    exceptions: [{ id: 'exc-1', userId: 'U0BOB', resource: 'vpn', mode: 'standing', reason: 'legacy', decidedBy: 'U0SEC1', opensAt: NOW - DAY, endsAt: NOW + DAY }],
    requests: [
      request('r1', {}),
      request('r2', { createdAt: NOW - 2 * DAY, decidedAt: NOW - 2 * DAY + 20 * 60_000 }),
      request('r3', { createdAt: NOW - 3 * DAY, decidedAt: NOW - 3 * DAY + 5_000 }),
      request('r4', { requesterId: 'U0BOB', status: 'denied' }),
      request('r5', { requesterId: 'U0BOB', status: 'lapsed', decidedBy: 'jitbot' }),
      request('old', { createdAt: NOW - 30 * DAY }),
      request('auto', { requesterId: 'U0CAROL', decidedBy: 'jitbot', decidedAt: NOW - DAY }),
    ],
  });
  assert.deepEqual(report.activeGrants.map((g) => g.id), ['short', 'standing', 'long']);
  assert.deepEqual(report.longLived.openExceptions.map((e) => e.id), ['exc-1']);
  assert.deepEqual(report.longLived.standingGrants.map((g) => g.id), ['standing']);
  assert.deepEqual(report.longLived.longGrants.map((g) => g.id), ['long']);
  assert.deepEqual(report.failedRevocations.map((g) => g.id), ['stuck']);
  assert.deepEqual(report.patterns.repeatRequesters, [{ userId: 'U0ALICE', resource: 'prod-db', requests: 3 }], 'the request from 30 days ago is outside the window');
  assert.deepEqual(report.patterns.repeatApprovers, [{ approverId: 'U0LEAD1', requesterId: 'U0ALICE', approvals: 3 }]);
  assert.deepEqual(report.patterns.fastApprovals.map((r) => r.id), ['r3']);
  assert.equal(report.patterns.denied, 1);
  assert.equal(report.patterns.lapsed, 1);
  assert.deepEqual(report.timeToApprove, [{ resource: 'prod-db', approvals: 3, medianMs: 10 * 60_000, p90Ms: 20 * 60_000 }], 'approvals by jitbot (auto) do not count');
});

test('keep / revoke items are the open exceptions and the long grants; a standing grant goes with its exception', () => {
  const report = buildReviewReport({
    now: NOW,
    since: NOW - 7 * DAY,
    grants: [
      grant('short', {}),
      grant('long', { grantedAt: NOW - 10 * H, expiresAt: NOW + 2 * H }),
      grant('standing', { requestId: null, exceptionId: 'exc-1', grantedAt: NOW - DAY, expiresAt: NOW + DAY }),
    ],
    exceptions: [{ id: 'exc-1', userId: 'U0BOB', resource: 'vpn', mode: 'standing', reason: 'legacy', decidedBy: 'U0SEC1', opensAt: NOW - DAY, endsAt: NOW + DAY }],
    requests: [],
  });
  assert.deepEqual(report.longLived.longGrants.map((g) => g.id), ['long', 'standing'], 'sorted by expiry');
  assert.deepEqual(reviewItems(report), [
    { subjectType: 'exception', subjectId: 'exc-1', userId: 'U0BOB', resource: 'vpn', until: NOW + DAY },
    { subjectType: 'grant', subjectId: 'long', userId: 'U0ALICE', resource: 'prod-db', until: NOW + 2 * H },
  ]);
  assert.deepEqual(reviewReportSchema.parse(JSON.parse(JSON.stringify(report))), report, 'a stored report reads back as it was');
  assert.throws(() => reviewReportSchema.parse({ ...report, activeGrants: 'none' }), /activeGrants/);
  const { drift: _drift, ...storedBeforeDrift } = report;
  assert.deepEqual(reviewReportSchema.parse(storedBeforeDrift).drift, [], 'a report stored before drift detection reads back with none');
});

test('the listing holds every active grant it counts: long-lived items first, then the other grants soonest end first', () => {
  const report = buildReviewReport({
    now: NOW,
    since: NOW - 7 * DAY,
    grants: [
      grant('later', { expiresAt: NOW + 2 * H, approvedBy: 'jitbot' }),
      grant('sooner', { expiresAt: NOW + 30 * 60_000 }),
      grant('long', { grantedAt: NOW - 10 * H, expiresAt: NOW + 3 * H }),
      grant('standing', { requestId: null, exceptionId: 'exc-1', grantedAt: NOW - DAY, expiresAt: NOW + DAY, approvedBy: 'U0SEC1' }),
      grant('orphan', { requestId: null, exceptionId: 'exc-closed', expiresAt: NOW + H }),
      grant('stuck', { status: 'revoke_failed', expiresAt: NOW - H }),
    ],
    exceptions: [{ id: 'exc-1', userId: 'U0BOB', resource: 'vpn', mode: 'standing', reason: 'legacy', decidedBy: 'U0SEC1', opensAt: NOW - DAY, endsAt: NOW + DAY }],
    requests: [],
  });
  const listing = reviewListing(report);
  assert.deepEqual(
    listing.map((e) => [e.item.subjectId, e.longLived]),
    [
      ['exc-1', true],
      ['long', true],
      ['sooner', false],
      ['orphan', false],
      ['later', false],
    ],
    'a standing grant goes with its open exception; one whose exception is gone is listed as itself',
  );
  assert.deepEqual(listing[0], {
    item: { subjectType: 'exception', subjectId: 'exc-1', userId: 'U0BOB', resource: 'vpn', until: NOW + DAY },
    since: NOW - DAY,
    approvedBy: 'U0SEC1',
    reason: 'legacy',
    longLived: true,
    standingGrantId: 'standing',
  });
  assert.deepEqual(listing[4], {
    item: { subjectType: 'grant', subjectId: 'later', userId: 'U0ALICE', resource: 'prod-db', until: NOW + 2 * H },
    since: NOW - H,
    approvedBy: 'jitbot',
    reason: 'reason of later',
    longLived: false,
    standingGrantId: null,
  });
  const listed = new Set(listing.flatMap((e) => [e.item.subjectId, e.standingGrantId ?? '']));
  assert.deepEqual(report.activeGrants.filter((g) => !listed.has(g.id)), [], 'every active grant is listed');
  assert.deepEqual(reviewItems(report), listing.filter((e) => e.longLived).map((e) => e.item), 'the long-lived items are the head of the listing');
});

test('a report stored before grants carried their reason reads back with an empty one', () => {
  const report = buildReviewReport({ now: NOW, since: NOW - DAY, grants: [grant('g', {})], exceptions: [], requests: [] });
  const { reason: _reason, ...older } = report.activeGrants[0] ?? grant('g', {});
  assert.equal(reviewReportSchema.parse({ ...report, activeGrants: [older] }).activeGrants[0]?.reason, '');
});
