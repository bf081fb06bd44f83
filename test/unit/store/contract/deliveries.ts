import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MINUTE, T0, type Fresh } from './harness.js';

const FORGET = T0 - 10 * MINUTE;

export function deliveryCases(fresh: Fresh): void {
  describe('deliveries', () => {
    test('a delivery is new once: a copy sharing any one of its keys is not, and a refused copy adds no key', async () => {
      const { store } = await fresh();
      assert.equal(await store.firstDelivery(['signature:v0=a', 'trigger:t1'], T0, FORGET), true);
      assert.equal(await store.firstDelivery(['signature:v0=a', 'trigger:t1'], T0 + 1, FORGET), false, 'the same bytes again');
      assert.equal(await store.firstDelivery(['signature:v0=b', 'trigger:t1'], T0 + 2, FORGET), false, 'Slack’s redelivery: signed anew, same trigger');
      assert.equal(await store.firstDelivery(['signature:v0=c', 'trigger:t2'], T0 + 3, FORGET), true, 'another delivery');
      assert.equal(await store.firstDelivery(['signature:v0=b'], T0 + 4, FORGET), true, 'the refused copy’s own signature was not remembered');
    });

    test('what was seen before forgetBefore is forgotten, and new again', async () => {
      const { store } = await fresh();
      await store.firstDelivery(['event:Ev1'], T0, T0 - 10 * MINUTE);
      await store.firstDelivery(['event:Ev2'], T0 + 5 * MINUTE, T0 - 5 * MINUTE);
      assert.equal(await store.firstDelivery(['event:Ev3'], T0 + 11 * MINUTE, T0 + MINUTE), true);
      assert.equal(await store.firstDelivery(['event:Ev2'], T0 + 11 * MINUTE, T0 + MINUTE), false, 'seen after the cut-off: kept');
      assert.equal(await store.firstDelivery(['event:Ev1'], T0 + 11 * MINUTE, T0 + MINUTE), true);
    });

    test('a delivery with no keys is let through and remembers nothing', async () => {
      const { store } = await fresh();
      assert.equal(await store.firstDelivery([], T0, FORGET), true);
      assert.equal(await store.firstDelivery([], T0, FORGET), true);
    });
  });
}
