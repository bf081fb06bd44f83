import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createMessageLane } from '../../../src/services/message-lane.js';

const quietLog = { debug() {}, info() {}, warn() {}, error() {} };

test('messages go out a few at a time, none awaited by the sender, and drain waits for the last', async () => {
  const lane = createMessageLane({ inFlight: 2, log: quietLog });
  let running = 0;
  let most = 0;
  const sent: number[] = [];
  for (let i = 0; i < 6; i += 1) {
    lane.send(async () => {
      running += 1;
      most = Math.max(most, running);
      await sleep(10);
      sent.push(i);
      running -= 1;
    });
  }
  assert.deepEqual(sent, [], 'send returns before anything is sent');
  await lane.drain(2_000);
  assert.deepEqual(sent, [0, 1, 2, 3, 4, 5], 'in the order given');
  assert.equal(most, 2);
});

test('a message that fails is logged and does not stop the ones after it', async () => {
  const warnings: object[] = [];
  const lane = createMessageLane({ inFlight: 1, log: { ...quietLog, warn: (obj: object) => warnings.push(obj) } });
  let delivered = false;
  lane.send(async () => {
    throw new Error('channel_not_found');
  });
  lane.send(async () => {
    delivered = true;
  });
  await lane.drain(1_000);
  assert.equal(delivered, true);
  assert.equal(warnings.length, 1);
});
