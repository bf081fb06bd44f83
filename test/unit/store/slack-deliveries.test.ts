import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { MINUTE, T0, tempStores } from './temp-store.js';

const stores = tempStores();
after(() => stores.cleanup());

const rows = (t: ReturnType<typeof stores.fresh>) => t.open.sqlite.prepare('select key from slack_deliveries order by key').pluck().all();

describe('remembering Slack deliveries', () => {
  test('a delivery is new once: a copy sharing any one of its keys is not', () => {
    const t = stores.fresh();
    assert.equal(t.store.firstDelivery(['signature:v0=a', 'trigger:t1'], T0, T0 - 10 * MINUTE), true);
    assert.equal(t.store.firstDelivery(['signature:v0=a', 'trigger:t1'], T0 + 1, T0 - 10 * MINUTE), false, 'the same bytes again');
    assert.equal(t.store.firstDelivery(['signature:v0=b', 'trigger:t1'], T0 + 2, T0 - 10 * MINUTE), false, 'Slack’s redelivery: signed anew, same trigger');
    assert.equal(t.store.firstDelivery(['signature:v0=c', 'trigger:t2'], T0 + 3, T0 - 10 * MINUTE), true, 'another delivery');
    assert.deepEqual(rows(t), ['signature:v0=a', 'signature:v0=c', 'trigger:t1', 'trigger:t2'], 'a refused copy adds nothing');
  });

  test('what was seen before forgetBefore is pruned, and new again', () => {
    const t = stores.fresh();
    t.store.firstDelivery(['event:Ev1'], T0, T0 - 10 * MINUTE);
    t.store.firstDelivery(['event:Ev2'], T0 + 5 * MINUTE, T0 - 5 * MINUTE);
    assert.equal(t.store.firstDelivery(['event:Ev3'], T0 + 11 * MINUTE, T0 + MINUTE), true);
    assert.deepEqual(rows(t), ['event:Ev2', 'event:Ev3']);
    assert.equal(t.store.firstDelivery(['event:Ev1'], T0 + 11 * MINUTE, T0 + MINUTE), true);
  });

  test('two processes on one database: of two copies, one is new', () => {
    const t = stores.fresh();
    const other = t.reopen();
    assert.equal(t.store.firstDelivery(['trigger:shared'], T0, T0 - 10 * MINUTE), true);
    assert.equal(other.store.firstDelivery(['trigger:shared'], T0, T0 - 10 * MINUTE), false);
  });

  test('a delivery with no keys is let through and writes nothing', () => {
    const t = stores.fresh();
    assert.equal(t.store.firstDelivery([], T0, T0 - 10 * MINUTE), true);
    assert.deepEqual(rows(t), []);
  });
});
