import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { DateTime } from 'luxon';
import { createDeliveryLog, MAX_AHEAD_MS, REMEMBER_MS } from '../../../src/services/deliveries.js';
import { deliveryKeys } from '../../../src/slack/replay-guard.js';

const T0 = Date.UTC(2026, 11, 1, 12, 0);
const signed = (signature: string) => `signature:${createHash('sha256').update(signature).digest('hex')}`;

function logAt(now: { ms: number }) {
  const calls: { keys: readonly string[]; at: number; forgetBefore: number }[] = [];
  const log = createDeliveryLog({
    clock: { now: () => DateTime.fromMillis(now.ms, { zone: 'utc' }) },
    store: {
      firstDelivery: async (keys, at, forgetBefore) => {
        calls.push({ keys, at, forgetBefore });
        return true;
      },
    },
  });
  return { log, calls };
}

describe('the replay window', () => {
  test('a timestamp up to a minute ahead of our clock is Slack’s clock skew; further ahead is refused', () => {
    const { log } = logAt({ ms: T0 });
    assert.equal(log.fromTheFuture(T0 / 1000), false);
    assert.equal(log.fromTheFuture((T0 + MAX_AHEAD_MS) / 1000), false);
    assert.equal(log.fromTheFuture((T0 + MAX_AHEAD_MS + 1_000) / 1000), true);
    assert.equal(log.fromTheFuture((T0 - 3_600_000) / 1000), false, 'stale ones are Bolt’s to refuse');
  });

  test('deliveries are remembered for 10 minutes: longer than a signature is good for, and than Slack retries', () => {
    const now = { ms: T0 };
    const { log, calls } = logAt(now);
    log.firstSighting(['trigger:t1']);
    assert.deepEqual(calls, [{ keys: ['trigger:t1'], at: T0, forgetBefore: T0 - REMEMBER_MS }]);
    assert.ok(REMEMBER_MS > 5 * 60_000 + MAX_AHEAD_MS, 'a replay within the signature window is always caught');
  });
});

describe('what a delivery is remembered by', () => {
  test('its signature (hashed), and its trigger_id (interactions, commands) or event_id (events)', () => {
    assert.deepEqual(deliveryKeys({ type: 'block_actions', trigger_id: '123.456.abc' }, 'v0=ff'), [signed('v0=ff'), 'trigger:123.456.abc']);
    assert.deepEqual(deliveryKeys({ type: 'event_callback', event_id: 'Ev01' }, 'v0=ee'), [signed('v0=ee'), 'event:Ev01']);
    assert.deepEqual(deliveryKeys({ command: '/request', trigger_id: 't' }, undefined), ['trigger:t'], 'Socket Mode has no signature');
  });

  test('a body without usable IDs is remembered by its signature alone', () => {
    assert.deepEqual(deliveryKeys({ trigger_id: 42, event_id: '' }, 'v0=dd'), [signed('v0=dd')]);
    assert.deepEqual(deliveryKeys('not an object', 'v0=cc'), [signed('v0=cc')]);
    assert.deepEqual(deliveryKeys(null, undefined), []);
  });
});
