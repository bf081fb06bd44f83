import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newId } from '../../../src/store/ids.js';
import { T0, postgresTempStores, type PostgresTempStores } from './postgres-temp-store.js';
import type { Store } from '../../../src/store/store.js';

let stores: PostgresTempStores;
let store: Store;
let other: Store;
before(async () => {
  stores = await postgresTempStores();
  store = await stores.replica();
  other = await stores.replica();
});
after(() => stores.cleanup());

const newReview = () => ({ id: newId('rev'), trigger: 'slack' as const, createdBy: 'U0SEC1', createdAt: T0, since: T0 - 1000, until: T0, report: '{}' });

test('PostgreSQL: a review is stored with its audit event, counts included', async () => {
  const review = await store.createReview(newReview(), { grants: 3 });
  assert.deepEqual(await store.findReview(review.id), review);
  assert.deepEqual(await stores.actions(review.id), ['review.created']);
});

test('PostgreSQL: a review decision is recorded once when two replicas decide the same item at once', async () => {
  const review = await store.createReview(newReview(), {});
  const grantId = newId('grt');
  const decide = (on: Store, decision: 'keep' | 'revoke', by: string) =>
    on.recordReviewDecision({ reviewId: review.id, subjectType: 'grant', subjectId: grantId, decision, decidedBy: by, decidedAt: T0 + 1 }, 'prod-db');
  const outcomes = await Promise.all([decide(store, 'keep', 'U0SEC1'), decide(other, 'revoke', 'U0SEC2')]);
  assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['already_decided', 'recorded']);
  const recorded = outcomes.find((o) => o.kind === 'recorded');
  const refused = outcomes.find((o) => o.kind === 'already_decided');
  assert.deepEqual(refused?.decision, recorded?.decision, 'the loser is told the first decision');
  assert.deepEqual(await store.reviewDecisions(review.id), [recorded?.decision]);
  assert.deepEqual(await stores.actions(grantId), [`review.${recorded?.decision.decision}`]);
  assert.equal((await stores.verifyChain()).ok, true);
});

test('PostgreSQL: reviews page by creation time and id', async () => {
  const by = `U0PAGER${newId('rev').slice(4)}`;
  const made = [];
  for (let i = 0; i < 3; i += 1) made.push(await store.createReview({ ...newReview(), createdBy: by, createdAt: T0 + i }, {}));
  const first = await store.pageReviews({ createdBy: by }, undefined, 2);
  assert.deepEqual(first.map((r) => r.id), made.slice(0, 2).map((r) => r.id));
  const last = first.at(-1);
  assert.ok(last);
  assert.deepEqual((await store.pageReviews({ createdBy: by }, { at: last.createdAt, id: last.id }, 2)).map((r) => r.id), [made[2]?.id]);
});
