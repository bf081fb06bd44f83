import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, SIGNING_SECRET, startHarness, USERS, type Harness } from '../support/harness.js';
import { signedPost, viewSubmissionBody } from '../support/slack-requests.js';

const submission = (resource: string, duration: string, reason: string) =>
  viewSubmissionBody({
    userId: USERS.alice,
    callbackId: 'request_modal',
    values: {
      resource: { value: { type: 'static_select', selected_option: { value: resource, text: { type: 'plain_text', text: resource } } } },
      duration: { value: { type: 'plain_text_input', value: duration } },
      reason: { value: { type: 'plain_text_input', value: reason } },
    },
  });

describe('the request form', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('/request with no text opens the form with every resource to choose from', async () => {
    const { status } = await h.command(USERS.alice, '');
    assert.equal(status, 200);
    const open = await h.slack.waitForCall('views.open');
    assert.match(String(open.args['trigger_id']), /^trig-/);
    const view = open.args['view'] as { callback_id: string; blocks: { block_id: string; element: { options?: { value: string }[] } }[] };
    assert.equal(view.callback_id, 'request_modal');
    const resource = view.blocks.find((b) => b.block_id === 'resource');
    assert.deepEqual(resource?.element.options?.map((o) => o.value), ['prod-db', 'staging']);
  });

  test('a submission with a bad duration is answered inside the form and writes nothing but its request.refused event', async () => {
    const res = await signedPost(h.eventsUrl, SIGNING_SECRET, submission('prod-db', '9h', 'INC-5 fix'), 'application/x-www-form-urlencoded');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    assert.equal(body.response_action, 'errors');
    assert.match(body.errors['duration'] ?? '', /at most 2 h/);
    assert.equal(h.sqlite.prepare('select count(*) from requests').pluck().get(), 0);
    h.clock.advance(60_000);
    const refused = await eventually('the refusal recorded', () => h.sqlite.prepare("select actor, resource, reason, details from audit_events where action = 'request.refused'").get() as { actor: string; resource: string; reason: string; details: string } | undefined, 15_000);
    const details = JSON.parse(refused.details) as { asked: string; count: number };
    assert.deepEqual([refused.actor, refused.resource, refused.reason, details.asked, details.count], [USERS.alice, 'prod-db', 'over_max_duration', 'prod-db 9h INC-5 fix', 1]);
  });

  test('a valid submission asks for access and tells the requester by DM', async () => {
    const res = await signedPost(h.eventsUrl, SIGNING_SECRET, submission('prod-db', '45m', 'INC-6 migrate'), 'application/x-www-form-urlencoded');
    assert.equal(res.status, 200);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0DBAPPROVALS');
    const dm = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice);
    assert.match(String(dm.args['text']), /Asked for \*prod-db\* for 45 min/);
  });

  test('an approval message Slack refused is posted by the sweep later', async () => {
    h.slack.failNext('chat.postMessage', { error: 'not_in_channel' });
    const reply = await h.ask(USERS.alice, 'staging 10m later');
    assert.match(reply, /Slack refused the message to <#C0STAGING>/);
    const requestId = /req-[0-9a-z]+/.exec(reply)?.[0] ?? '';
    h.clock.advance(3 * 60_000);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0STAGING' && JSON.stringify(c.args['blocks']).includes(requestId), 5_000);
    await eventually('approval_ts stored', () => (h.sqlite.prepare('select approval_ts from requests where id = ?').pluck().get(requestId) as string | null) ?? undefined);
  });
});
