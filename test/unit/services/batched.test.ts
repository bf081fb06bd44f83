import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batched } from '../../../src/services/batched.js';

test('calls made in the same tick run as one batch, each caller getting its own result', async () => {
  const batches: number[][] = [];
  const double = batched(async (items: readonly number[]) => {
    batches.push([...items]);
    return items.map((n) => n * 2);
  }, 3);
  const results = await Promise.all([1, 2, 3, 4, 5].map(double));
  assert.deepEqual(results, [2, 4, 6, 8, 10]);
  assert.deepEqual(batches, [[1, 2, 3], [4, 5]], 'at most maxBatch at a time');
  assert.equal(await double(7), 14);
  assert.deepEqual(batches.at(-1), [7]);
});

test('a failing batch rejects every caller in it, and the next batch runs afresh', async () => {
  let fail = true;
  const run = batched(async (items: readonly string[]) => {
    if (fail) throw new Error('database is locked');
    return items.map((s) => s.toUpperCase());
  }, 10);
  const outcomes = await Promise.allSettled([run('a'), run('b')]);
  assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected']);
  fail = false;
  assert.equal(await run('c'), 'C');
});
