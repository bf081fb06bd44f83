import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runWithin } from '../../src/bounded-shutdown.js';

const quietLog = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

test('a shutdown step that never answers is let go when the budget is spent, and the steps after it still run', async () => {
  const ran: string[] = [];
  const started = Date.now();
  const abandoned = await runWithin(
    300,
    [
      ['closes', async () => void ran.push('closes')],
      ['hangs', () => new Promise<never>(() => undefined)],
      ['fails', async () => {
        ran.push('fails');
        throw new Error('Redis is gone');
      }],
      ['after', async () => void ran.push('after')],
    ],
    quietLog,
  );
  assert.deepEqual(abandoned, ['hangs']);
  assert.deepEqual(ran, ['closes', 'fails', 'after']);
  assert.ok(Date.now() - started >= 290, 'the hanging step had the whole budget');
});
