import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PAYMENTS_WITH_BREAK_GLASS, SIGNING_SECRET, startHarness, USERS, type Harness } from '../support/harness.js';
import { signedPost, slackSignature, slashCommandBody } from '../support/slack-requests.js';

const FORM = 'application/x-www-form-urlencoded';

/** The exact bytes and headers of one delivery, as someone who captured it would resend them. */
function capturedDelivery(url: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const headers = { 'content-type': FORM, 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp, body) };
  return () => fetch(url, { method: 'POST', headers, body });
}

describe('a replayed request changes nothing', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ policyExtra: PAYMENTS_WITH_BREAK_GLASS });
  });
  after(async () => {
    await h.close();
  });

  test('the same signed --emergency command sent three times makes one break-glass grant', async () => {
    const body = slashCommandBody({ text: 'payments 30m --emergency checkout is down', userId: USERS.lead, responseUrl: h.slack.responseUrl('glass'), triggerId: 'trig-glass' });
    const send = capturedDelivery(h.eventsUrl, body);
    const first = await send();
    assert.equal(first.status, 200);
    assert.match(String((await h.slack.waitForResponse('glass')).body['text']), /Break-glass/);
    const replays = await Promise.all([send(), send()]);
    for (const replay of replays) {
      assert.equal(replay.status, 200, 'answered like an ack, so a retry would stop');
      assert.equal(await replay.text(), '', 'and with nothing to show');
    }
    // A command sent after the replays is answered; whatever they would have made is made by then.
    assert.match(await h.ask(USERS.lead, 'list'), /payments/);
    assert.deepEqual([h.count('requests'), h.count('grants'), h.count('break_glass_uses')], [1, 1, 1]);
    const used = h.sqlite.prepare("select count(*) from audit_events where action = 'break_glass.used'").pluck().get();
    assert.equal(used, 1);
  });

  test('Slack redelivering a command it already had acked (X-Slack-Retry-Num, a new signature) changes nothing and shows no error', async () => {
    const body = slashCommandBody({ text: 'prod-db 30m retried INC-77', userId: USERS.alice, responseUrl: h.slack.responseUrl('retried'), triggerId: 'trig-retried' });
    const before = h.count('requests');
    const first = await signedPost(h.eventsUrl, SIGNING_SECRET, body, FORM);
    assert.equal(first.status, 200);
    await h.slack.waitForResponse('retried');
    const posted = h.slack.callsTo('chat.postMessage').length;
    const retry = await signedPost(h.eventsUrl, SIGNING_SECRET, body, FORM, { timestamp: Math.floor(Date.now() / 1000) + 1, retryNum: 1 });
    assert.equal(retry.status, 200);
    assert.equal(await retry.text(), '');
    // A request that does arrive afterwards is answered; the retry before it made nothing.
    assert.match(await h.ask(USERS.bob, 'prod-db 30m after the retry INC-78'), /req-/);
    assert.equal(h.count('requests'), before + 2);
    assert.equal(h.slack.callsTo('chat.postMessage').length, posted + 1, 'one approval message more: the later request’s');
  });

  test('a request timestamped more than a minute ahead is refused with 401 and changes nothing; a little clock skew is fine', async () => {
    const before = h.count('requests');
    const ahead = slashCommandBody({ text: 'prod-db 30m from the future INC-79', userId: USERS.alice, responseUrl: h.slack.responseUrl('ahead'), triggerId: 'trig-ahead' });
    const refused = await signedPost(h.eventsUrl, SIGNING_SECRET, ahead, FORM, { timestamp: Math.floor(Date.now() / 1000) + 120 });
    assert.equal(refused.status, 401);
    assert.equal(h.count('requests'), before);
    const skewed = slashCommandBody({ text: 'prod-db 30m slightly ahead INC-80', userId: USERS.alice, responseUrl: h.slack.responseUrl('skewed'), triggerId: 'trig-skewed' });
    const accepted = await signedPost(h.eventsUrl, SIGNING_SECRET, skewed, FORM, { timestamp: Math.floor(Date.now() / 1000) + 30 });
    assert.equal(accepted.status, 200);
    await h.slack.waitForResponse('skewed');
    assert.equal(h.count('requests'), before + 1);
  });
});
