import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FOLLOW_UPS_IN_FLIGHT } from '../../src/jitbot.js';
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
    let answer = '';
    try {
      const command = await settlesWithin('/request', h.command(USERS.bob, 'prod-db 30m debugging INC-2'));
      assert.equal(command.status, 200, 'acked (Bolt answers 404 for what was not acked in 3 s)');
      assert.equal(command.ack, '', 'the command is acked empty; the answer follows through response_url');
      answer = command.responseName;
      const click = await settlesWithin('approve', h.click(USERS.lead, 'approve', first));
      assert.equal(click.status, 200, 'acked (Bolt answers 404 for what was not acked in 3 s)');
    } finally {
      release();
    }

    await h.slack.waitForResponse(answer, (body) => /Asked for/.test(String(body['text'])), 15_000);
    const grant = await eventually('the approved grant', () => h.grantFor(first), 15_000);
    assert.equal(grant.status, 'active');
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0DBAPPROVALS' && /INC-2/.test(JSON.stringify(c.args['blocks'])));
    assert.equal(h.slack.callsTo('auth.test').length, 1, 'auth.test is called at start-up only, never per incoming request');
  });

  test('a burst of commands is acked at once, and worked on a few at a time after the acks', async () => {
    const people = Array.from({ length: FOLLOW_UPS_IN_FLIGHT + 6 }, (_, i) => `U0BURST${i}`);
    const callsBefore = h.slack.calls.length;
    const slackCalls = () => h.slack.calls.slice(callsBefore).filter((c) => people.includes(String(c.args['user']))).length;
    const release = h.slack.hold();
    let answers: string[];
    try {
      const acks = await settlesWithin('a burst of /request', Promise.all(people.map((person, i) => h.command(person, `staging 10m burst ${i}`))));
      assert.deepEqual(acks.map((a) => a.status), people.map(() => 200), 'every command acked while Slack answers nothing');
      answers = acks.map((a) => a.responseName);
      // Each follow-up at work now waits on its first Slack call; the rest wait their turn.
      await eventually('the first follow-ups reach Slack', () => (slackCalls() >= FOLLOW_UPS_IN_FLIGHT ? true : undefined));
      await sleep(1_000); // a window for any follow-up that should not have started to show itself
      assert.equal(slackCalls(), FOLLOW_UPS_IN_FLIGHT, `only ${FOLLOW_UPS_IN_FLIGHT} follow-ups at work at once; Slack saw ${h.slack.calls.slice(callsBefore).map((c) => `${c.method}(${String(c.args["user"] ?? c.args["channel"] ?? "")})`).join(", ")}`);
    } finally {
      release();
    }
    for (const name of answers) {
      const reply = await h.slack.waitForResponse(name, undefined, 15_000);
      assert.match(String(reply.body['text']), /Asked for \*staging\*/);
    }
  });
});
