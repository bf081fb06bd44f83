import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReviewReport, type ReviewGrant } from '../../../src/domain/review-report.js';
import { reviewCsv, reviewMarkdown } from '../../../src/services/review-document.js';
import type { ReviewRecord } from '../../../src/domain/records.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const H = 3_600_000;
const grant = (id: string, over: Partial<ReviewGrant>): ReviewGrant => ({
  id, userId: 'U0ALICE', resource: 'prod-db', grantedAt: NOW - H, expiresAt: NOW + H, status: 'active', requestId: `req-${id}`, exceptionId: null,
  approvedBy: 'U0LEAD1', revokeError: null, reason: `reason of ${id}`, provisionedAt: NOW - H, provisionError: null, ...over,
});

test('the exported review lists approved access that is not set up apart from active grants', () => {
  const report = buildReviewReport({
    now: NOW,
    since: NOW - 7 * 24 * H,
    grants: [
      grant('grt-working', {}),
      grant('grt-gave-up', { status: 'provision_failed', provisionedAt: null, provisionError: 'postgres: login "jdoe" does not exist' }),
      grant('grt-retrying', { provisionedAt: null, provisionError: 'webhook: HTTP 503' }),
    ],
    exceptions: [],
    requests: [],
  });
  assert.deepEqual(report.activeGrants.map((g) => g.id), ['grt-working']);
  assert.deepEqual(report.notSetUp.map((g) => g.id), ['grt-gave-up', 'grt-retrying']);
  const review: ReviewRecord = { id: 'rev-1', trigger: 'cli', createdBy: 'cli:test', createdAt: NOW, since: report.since, until: report.until, report: JSON.stringify(report), channel: null, messageTs: null };
  const markdown = reviewMarkdown({ review, report, decisions: [] });
  assert.match(markdown, /## Approved but not set up \(2\)/);
  assert.match(markdown, /grt-gave-up \| U0ALICE \| prod-db \| [^|]+ \| failed \| postgres: login "jdoe" does not exist/);
  assert.match(reviewCsv({ review, report, decisions: [] }), /rev-1,not_set_up,grt-retrying,U0ALICE,prod-db,.*webhook: HTTP 503/);
});
