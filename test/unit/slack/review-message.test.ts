import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildReviewReport, type ReviewGrant } from '../../../src/domain/review-report.js';
import { reviewMessage } from '../../../src/slack/views/review-message.js';
import type { ReviewDecisionRecord, ReviewRecord } from '../../../src/domain/records.js';
import { MINUTE, T0 } from '../../support/rows.js';

const H = 60 * MINUTE;
const review: ReviewRecord = { id: 'rev-1', trigger: 'slack', createdBy: 'U0SEC1', createdAt: T0, since: T0 - 7 * 24 * H, until: T0, report: '{}', channel: 'C0SEC', messageTs: '1.2' };

const grant = (id: string, over: Partial<ReviewGrant> = {}): ReviewGrant => ({
  id, userId: 'U0ALICE', resource: 'prod-db', grantedAt: T0 - H, expiresAt: T0 + H, status: 'active', requestId: `req-${id}`,
  exceptionId: null, approvedBy: 'U0LEAD1', revokeError: null, reason: `debugging INC-${id}`, provisionedAt: T0 - H, provisionError: null, ...over,
});

/** The most a review can hold at once: every optional section full, and more items than fit. */
function fullReport() {
  const short = Array.from({ length: 30 }, (_, i) => grant(`grt-s${String(i).padStart(2, '0')}`, { expiresAt: T0 + (i + 1) * MINUTE, reason: 'x'.repeat(500) }));
  const failed = Array.from({ length: 12 }, (_, i) => grant(`grt-f${i}`, { status: 'revoke_failed', expiresAt: T0 - H, revokeError: 'e'.repeat(2_000) }));
  return buildReviewReport({
    now: T0,
    since: T0 - 7 * 24 * H,
    grants: [
      ...short,
      ...failed,
      grant('grt-long1', { grantedAt: T0 - 10 * H, expiresAt: T0 + 3 * H }),
      grant('grt-long2', { grantedAt: T0 - 10 * H, expiresAt: T0 + 2 * H, approvedBy: 'jitbot' }),
      grant('grt-standing', { userId: 'U0BOB', resource: 'legacy', requestId: null, exceptionId: 'exc-1', grantedAt: T0 - 24 * H, expiresAt: T0 + 24 * H, approvedBy: 'U0SEC1', reason: 'vendor migration' }),
      grant('grt-evil', { expiresAt: T0 + 90 * MINUTE, reason: '<!channel> & <https://evil.example|click here>' }),
    ],
    exceptions: [{ id: 'exc-1', userId: 'U0BOB', resource: 'legacy', mode: 'standing', reason: 'vendor migration', decidedBy: 'U0SEC1', opensAt: T0 - 24 * H, endsAt: T0 + 24 * H }],
    requests: [],
    drift: Array.from({ length: 12 }, (_, i) => ({ id: `drf-${i}`, resource: 'prod-db', target: 't', kind: 'unmanaged' as const, identity: 'i'.repeat(300), grantId: null, userId: null, foundAt: T0 })),
    breakGlass: Array.from({ length: 12 }, (_, i) => ({ grantId: `grt-bg${i}`, userId: 'U0ALICE', resource: 'prod-db', reason: 'b'.repeat(500), createdAt: T0 })),
  });
}

interface Block {
  type: string;
  block_id?: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { action_id?: string; value?: string; text?: unknown }[];
}
/** The blocks as Slack receives them (JSON). */
const blocksOf = (message: { blocks: unknown[] }) => JSON.parse(JSON.stringify(message.blocks)) as Block[];
const texts = (blocks: readonly Block[]) => blocks.flatMap((b) => [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text), ...(b.elements ?? []).map((e) => (typeof e.text === 'string' ? e.text : ''))]);

describe('the review message lists the access it counts', () => {
  const report = fullReport();
  const blocks = blocksOf(reviewMessage({ review, report, decisions: [] }));
  const actions = blocks.filter((b) => b.type === 'actions');
  /** The section above each item's buttons. */
  const lineOf = (subjectId: string) => {
    const at = blocks.findIndex((b) => b.type === 'actions' && b.elements?.[0]?.value === subjectId);
    return blocks[at - 1]?.text?.text ?? '';
  };

  test('it fits Slack: at most 50 blocks, no section text over 3,000 characters, and well under the message size Slack accepts', () => {
    assert.ok(blocks.length <= 50, `${blocks.length} blocks`);
    for (const text of texts(blocks)) assert.ok(text.length <= 3_000, `a text of ${text.length} characters`);
    const total = texts(blocks).reduce((sum, t) => sum + t.length, 0);
    assert.ok(total <= 12_000, `${total} characters in all`);
  });

  test('Keep / Revoke on the first 20 items: the long-lived ones first, then the active grants that end soonest', () => {
    assert.equal(actions.length, 20);
    assert.deepEqual(
      actions.map((b) => b.elements?.[0]?.value),
      ['exc-1', 'grt-long2', 'grt-long1', ...Array.from({ length: 17 }, (_, i) => `grt-s${String(i).padStart(2, '0')}`)],
    );
    for (const block of actions) {
      assert.deepEqual(block.elements?.map((e) => [e.action_id, e.value]), [['keep', block.elements?.[0]?.value], ['revoke', block.elements?.[0]?.value]]);
      assert.equal(block.block_id, `review:rev-1:${block.elements?.[0]?.value ?? ''}`);
    }
  });

  test('each item says who, on what, since and until (Slack date tokens), who approved it, and why', () => {
    const line = lineOf('grt-long1');
    assert.match(line, /<@U0ALICE> on \*prod-db\*/);
    assert.match(line, /grant `grt-long1` for 13 h/);
    assert.match(line, new RegExp(`since <!date\\^${(T0 - 10 * H) / 1000}\\^[^>]+> until <!date\\^${(T0 + 3 * H) / 1000}\\^[^>]+>`));
    assert.match(line, /approved by <@U0LEAD1>/);
    assert.match(line, /debugging INC-grt-long1/);
    assert.match(lineOf('grt-long2'), /approved by jitbot/, 'break-glass and opt-out grants name jitbot, not a broken mention');
  });

  test('a standing grant is listed with its exception, which is decided for both', () => {
    const line = lineOf('exc-1');
    assert.match(line, /<@U0BOB> on \*legacy\*: opt-out exception `exc-1`/);
    assert.match(line, /approved by <@U0SEC1>/);
    assert.match(line, /vendor migration/);
    assert.match(line, /standing grant `grt-standing` ends with it/);
    assert.equal(actions.filter((b) => b.elements?.[0]?.value === 'grt-standing').length, 0);
  });

  test('the items past 20 are counted, and the export named for all of them', () => {
    const footer = texts(blocks).join('\n');
    assert.match(footer, /14 more items are not shown here/);
    assert.match(footer, /`jitbot review export rev-1` lists all of them/);
  });

  test('a long reason is shortened in Slack (the export has it whole)', () => {
    assert.match(lineOf('grt-s00'), /x{90,}…/);
    assert.doesNotMatch(lineOf('grt-s00'), /x{500}/);
  });

  test('what someone typed is shown as text: no mention, link or formatting it could smuggle in', () => {
    const report = buildReviewReport({ now: T0, since: T0 - H, grants: [grant('grt-evil', { reason: '<!channel> & <https://evil.example|click here>' })], exceptions: [], requests: [] });
    const decision: ReviewDecisionRecord = { reviewId: 'rev-1', subjectType: 'grant', subjectId: 'grt-evil', decision: 'keep', decidedBy: 'U0SEC1', decidedAt: T0, note: '<!here> fine' };
    const shown = JSON.stringify(reviewMessage({ review, report, decisions: [decision] }).blocks);
    assert.match(shown, /&lt;!channel&gt; &amp; &lt;https:\/\/evil.example\|click here&gt;/);
    assert.match(shown, /&lt;!here&gt; fine/);
    assert.doesNotMatch(shown, /<!channel>|<!here>|<https:/);
  });

  test('a decided item shows the decision in place of its buttons', () => {
    const decision: ReviewDecisionRecord = { reviewId: 'rev-1', subjectType: 'grant', subjectId: 'grt-s00', decision: 'revoke', decidedBy: 'U0SEC1', decidedAt: T0, note: null };
    const decided = blocksOf(reviewMessage({ review, report, decisions: [decision] }));
    assert.ok(decided.length <= 50);
    assert.equal(decided.filter((b) => b.type === 'actions' && b.elements?.[0]?.value === 'grt-s00').length, 0);
    assert.match(JSON.stringify(decided), /✗ Revoked by <@U0SEC1>/);
  });
});
