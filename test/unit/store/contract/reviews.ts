import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newId } from '../../../../src/store/ids.js';
import type { NewReview } from '../../../../src/store/store.js';
import { auditEvents, HOUR, LEAD1, MINUTE, SEC1, T0, type Fresh } from './harness.js';

const newReview = (overrides: Partial<NewReview> = {}): NewReview => ({
  id: newId('rev'),
  trigger: 'schedule',
  createdBy: 'jitbot',
  createdAt: T0,
  since: T0 - 24 * HOUR,
  until: T0,
  report: '{"items":[]}',
  ...overrides,
});

export function reviewCases(fresh: Fresh): void {
  describe('reviews', () => {
    test('a review is stored with its audit event, and its message remembered', async () => {
      const { store } = await fresh();
      const review = await store.createReview(newReview(), { grants: 2, exceptions: 1 });
      assert.deepEqual(await store.findReview(review.id), review);
      assert.deepEqual([review.channel, review.messageTs], [null, null]);
      await store.setReviewMessage(review.id, 'C0SEC', '1700000000.000400');
      const found = await store.findReview(review.id);
      assert.deepEqual([found?.channel, found?.messageTs], ['C0SEC', '1700000000.000400']);
      const [event] = await auditEvents(store, { subjectId: review.id });
      assert.deepEqual([event?.action, event?.actor, JSON.parse(event?.details ?? '{}')], ['review.created', 'jitbot', { trigger: 'schedule', since: T0 - 24 * HOUR, until: T0, grants: 2, exceptions: 1 }]);
    });

    test('keep or revoke is recorded once per item; the first decision stands, audited on the item', async () => {
      const { store } = await fresh();
      const review = await store.createReview(newReview(), {});
      const decide = (decision: 'keep' | 'revoke', decidedBy: string, at: number) =>
        store.recordReviewDecision({ reviewId: review.id, subjectType: 'grant', subjectId: 'grt-long', decision, decidedBy, decidedAt: at, note: 'still on call' }, 'prod-db');
      const first = await decide('keep', SEC1, T0 + MINUTE);
      assert.ok(first.kind === 'recorded');
      const second = await decide('revoke', LEAD1, T0 + 2 * MINUTE);
      assert.ok(second.kind === 'already_decided');
      assert.deepEqual(second.decision, first.decision);
      assert.deepEqual(await store.reviewDecisions(review.id), [first.decision]);
      const events = await auditEvents(store, { subjectId: 'grt-long' });
      assert.deepEqual(events.map((e) => [e.action, e.actor, e.resource, e.reason, JSON.parse(e.details)]), [['review.keep', SEC1, 'prod-db', 'still on call', { review_id: review.id }]]);
    });

    test('reviews page by (created_at, id), filtered by who ran them', async () => {
      const { store } = await fresh();
      const a = await store.createReview(newReview({ createdAt: T0 }), {});
      const b = await store.createReview(newReview({ createdAt: T0 + MINUTE, createdBy: SEC1, trigger: 'slack' }), {});
      const ids = async (filter: Parameters<typeof store.pageReviews>[0], after?: { at: number; id: string }) => (await store.pageReviews(filter, after, 10)).map((r) => r.id);
      assert.deepEqual(await ids({}), [a.id, b.id]);
      assert.deepEqual(await ids({ createdBy: SEC1 }), [b.id]);
      assert.deepEqual(await ids({}, { at: a.createdAt, id: a.id }), [b.id]);
      assert.deepEqual(await ids({ since: T0 + MINUTE }), [b.id]);
    });
  });
}
