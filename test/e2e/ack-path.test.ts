import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';

/** Fails with `what` instead of hanging when `promise` does not settle while Slack is silent. */
async function settlesWithin<T>(what: string, promise: Promise<T>, timeoutMs = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no ack while Slack was not answering — the ack waits on a Slack call`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('acks never wait on Slack', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('a /request and an Approve click are acked while Slack answers nothing, and no request asks Slack who the bot is', async () => {
    assert.equal(h.slack.callsTo('auth.test').length, 1, 'start-up checks the token once');
    const first = requestIdIn(await h.ask(USERS.alice, 'prod-db 30m debugging INC-1'));
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0DBAPPROVALS');

    const release = h.slack.hold();
    try {
      const command = await settlesWithin('/request', h.command(USERS.bob, 'prod-db 30m debugging INC-2'));
      assert.equal(command.status, 200, 'acked (Bolt answers 404 for what was not acked in 3 s)');
      assert.equal(command.ack, '', 'the command is acked empty; the answer follows through response_url');
      const click = await settlesWithin('approve', h.click(USERS.lead, 'approve', first));
      assert.equal(click.status, 200, 'acked (Bolt answers 404 for what was not acked in 3 s)');
    } finally {
      release();
    }

    const grant = await eventually('the approved grant', () => h.grantFor(first), 15_000);
    assert.equal(grant.status, 'active');
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0DBAPPROVALS' && /INC-2/.test(JSON.stringify(c.args['blocks'])));
    assert.equal(h.slack.callsTo('auth.test').length, 1, 'auth.test is called at start-up only, never per incoming request');
  });
});
