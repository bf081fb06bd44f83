import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, startHarness, USERS, type Harness } from '../support/harness.js';

describe('Socket Mode (SLACK_APP_TOKEN set)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ socketMode: true });
  });
  after(async () => {
    await h.close();
  });

  test('connects through SLACK_API_URL with the app token, and /request and Approve work over the socket', async () => {
    const socket = h.socket;
    assert.ok(socket);
    assert.equal(h.slack.callsTo('apps.connections.open').length, 1);
    const eventsStatus = await fetch(h.eventsUrl, { method: 'POST', body: '' });
    assert.equal(eventsStatus.status, 404, 'no HTTP endpoint for Slack in Socket Mode');

    const ack = await socket.deliver('slash_commands', {
      token: 'x', team_id: 'T0TEAM', channel_id: 'C0GENERAL', user_id: USERS.alice, user_name: 'alice',
      command: '/request', text: 'prod-db 30m over the socket INC-50', response_url: h.slack.responseUrl('sock'), trigger_id: 'trig-sock', api_app_id: 'A0JITBOT',
    });
    assert.ok(ack.envelope_id);
    const reply = await h.slack.waitForResponse('sock');
    const requestId = /req-[0-9a-z]+/.exec(String(reply.body['text']))?.[0] ?? '';
    assert.notEqual(requestId, '');
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0DBAPPROVALS');

    await socket.deliver('interactive', {
      type: 'block_actions', user: { id: USERS.lead, username: 'lead', team_id: 'T0TEAM' }, team: { id: 'T0TEAM' }, api_app_id: 'A0JITBOT', token: 'x',
      container: { type: 'message', message_ts: '1', channel_id: 'C0DBAPPROVALS' }, channel: { id: 'C0DBAPPROVALS' }, response_url: h.slack.responseUrl('sock-click'), trigger_id: 't',
      actions: [{ action_id: 'approve', block_id: 'decision', value: requestId, type: 'button', action_ts: '1' }],
    });
    const grant = await eventually('grant over socket', () => h.grantFor(requestId));
    assert.equal(grant.status, 'active');
  });

  test('a command the socket delivers twice (same trigger_id) is acted on once', async () => {
    const socket = h.socket;
    assert.ok(socket);
    const before = h.count('requests');
    const command = {
      token: 'x', team_id: 'T0TEAM', channel_id: 'C0GENERAL', user_id: USERS.bob, user_name: 'bob',
      command: '/request', text: 'prod-db 30m twice over the socket INC-51', response_url: h.slack.responseUrl('sock-twice'), trigger_id: 'trig-sock-twice', api_app_id: 'A0JITBOT',
    };
    await socket.deliver('slash_commands', command);
    await h.slack.waitForResponse('sock-twice');
    const again = await socket.deliver('slash_commands', { ...command, response_url: h.slack.responseUrl('sock-twice-again') });
    assert.ok(again.envelope_id, 'the second copy is acked too');
    // A later command is answered; by then the second copy would have made its request.
    await socket.deliver('slash_commands', { ...command, text: 'list', trigger_id: 'trig-sock-list', response_url: h.slack.responseUrl('sock-list') });
    await h.slack.waitForResponse('sock-list');
    assert.equal(h.count('requests'), before + 1);
    assert.equal(h.slack.responses.filter((r) => r.name === 'sock-twice-again').length, 0, 'the copy got no answer of its own');
  });
});
