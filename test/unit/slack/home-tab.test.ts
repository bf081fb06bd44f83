import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WebClient } from '@slack/web-api';
import { DateTime } from 'luxon';
import { parsePolicy } from '../../../src/config/load-policy.js';
import type { HomeContents } from '../../../src/services/home.js';
import { createHomeTab } from '../../../src/slack/home-tab.js';
import { testPolicy } from '../../support/harness.js';
import { grantRow, T0 } from '../../support/rows.js';

const quietLog = { debug() {}, info() {}, warn() {}, error() {} };
const POLICY = parsePolicy(testPolicy('http://127.0.0.1:9/hooks'), 'policy.yaml').policy;

const homeOf = (grants: number): HomeContents => ({
  own: { active: Array.from({ length: grants }, (_, i) => grantRow({ id: `grt-${i + 1}` })), pending: [], exceptions: [] },
  waiting: { requests: [], exceptions: [] },
});

/** A home tab whose contents are `reads` in turn (the last one repeated), and the views it published. */
function tabReading(reads: HomeContents[]) {
  const published: string[] = [];
  let read = 0;
  const client = {
    views: {
      publish: async (args: { view: { blocks: unknown[] } }) => {
        published.push(JSON.stringify(args.view.blocks));
        return { ok: true };
      },
    },
  } as unknown as WebClient;
  const tab = createHomeTab({
    client,
    home: () => ({ contents: async () => reads[Math.min(read++, reads.length - 1)] ?? homeOf(0), audience: async () => [] }),
    directory: { userProfile: async () => ({ tz: 'UTC', email: null, deleted: false }) },
    policy: () => POLICY,
    metrics: { slackError: () => undefined },
    clock: { now: () => DateTime.fromMillis(T0) },
    log: quietLog,
  });
  return { tab, published };
}

test('a home whose contents changed while it was drawn (another replica\'s change) is drawn again from the fresh contents', async () => {
  const { tab, published } = tabReading([homeOf(1), homeOf(2)]);
  await tab.publish('U0ALICE');
  assert.equal(published.length, 2);
  assert.match(published[1] ?? '', /grt-2/, 'the last view drawn shows what was committed last');
});

test('a home that did not change while it was drawn is drawn once', async () => {
  const { tab, published } = tabReading([homeOf(1)]);
  await tab.publish('U0ALICE');
  assert.equal(published.length, 1);
});
