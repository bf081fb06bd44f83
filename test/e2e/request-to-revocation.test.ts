import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';

type Block = { type: string; elements?: { action_id?: string; value?: string; text?: string }[] };

const grantRow = (h: Harness, requestId: string) => h.grantFor(requestId);

function auditActions(h: Harness, subjectId: string): string[] {
  const rows = h.sqlite.prepare('select action from audit_events where subject_id = ? order by seq').all(subjectId) as { action: string }[];
  return rows.map((r) => r.action);
}

describe('a request goes from /request to automatic revocation', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('approved access is provisioned, announced, and revoked at expiry with every step audited', async () => {
    const reply = await h.ask(USERS.alice, 'prod-db 2s debugging INC-4211');
    assert.match(reply, /Asked for \*prod-db\*/);
    const requestId = requestIdIn(reply);

    const posted = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0DBAPPROVALS');
    const blocks = posted.args['blocks'] as Block[];
    const buttons = blocks.flatMap((b) => b.elements ?? []).filter((e) => e.action_id);
    assert.deepEqual(buttons.map((b) => [b.action_id, b.value]), [['approve', requestId], ['deny', requestId]]);
    assert.match(JSON.stringify(blocks), /debugging INC-4211/);

    await h.click(USERS.lead, 'approve', requestId);

    const update = await h.slack.waitForCall('chat.update');
    const updatedBlocks = update.args['blocks'] as Block[];
    assert.equal(updatedBlocks.some((b) => b.type === 'actions'), false, 'buttons are gone after the decision');
    assert.match(JSON.stringify(updatedBlocks), /Approved by <@U0LEAD1>/);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /approved your request/.test(String(c.args['text'])));

    const [grantDelivery] = await h.webhook.waitForDeliveries(1);
    assert.ok(grantDelivery);
    assert.equal(grantDelivery.verified, true);
    assert.equal(grantDelivery.body.type, 'access.grant');
    assert.equal(grantDelivery.body.user.slack_id, USERS.alice);
    assert.equal(grantDelivery.body.user.email, 'u0alice@example.com');
    const grant = grantRow(h, requestId);
    assert.ok(grant);
    assert.equal(grant.expires_at - grant.granted_at, 2_000, 'the grant runs for the requested duration from approval');
    assert.equal(grantDelivery.id, `${grant.id}.grant`);

    const active = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /is active until/.test(String(c.args['text'])));
    assert.match(String(active.args['text']), /<!date\^\d+\^/, 'expiry is a Slack date token, shown in the reader’s time zone');
    assert.match(String(active.args['text']), /CET|CEST|GMT\+1|GMT\+2/, 'the fallback text is in Alice’s own Slack time zone (Europe/Paris)');

    const deliveries = await h.webhook.waitForDeliveries(2, 6_000);
    const revoke = deliveries[1];
    assert.ok(revoke);
    assert.equal(revoke.body.type, 'access.revoke');
    assert.equal(revoke.body.revoke_reason, 'expired');
    assert.equal(revoke.verified, true);

    const ended = await eventually('grant revoked', () => {
      const row = grantRow(h, requestId);
      return row?.status === 'revoked' ? row : undefined;
    });
    assert.equal(ended.revoke_reason, 'expired');
    assert.ok(ended.revoked_at !== null && ended.revoked_at >= ended.expires_at, 'not revoked before expiry');
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /ended .*it expired/.test(String(c.args['text'])));

    assert.deepEqual(auditActions(h, requestId), ['request.created', 'request.approval_recorded', 'request.approved']);
    assert.deepEqual(auditActions(h, ended.id), ['grant.created', 'grant.provisioned', 'grant.revoked']);
  });

  test('a denied request is closed in place, the requester is told, and nothing is granted', async () => {
    const requestId = requestIdIn(await h.ask(USERS.bob, 'prod-db 30m looking at INC-7'));
    h.slack.reset();
    await h.click(USERS.lead2, 'deny', requestId);
    const update = await h.slack.waitForCall('chat.update');
    assert.match(JSON.stringify(update.args['blocks']), /Denied by <@U0LEAD2>/);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.bob && /denied your request/.test(String(c.args['text'])));
    assert.equal(grantRow(h, requestId), undefined);
    const late = await h.click(USERS.lead, 'approve', requestId);
    const refusal = await h.slack.waitForResponse(late.responseName);
    assert.match(String(refusal.body['text']), /already denied by <@U0LEAD2>/);
    assert.equal(refusal.body['response_type'], 'ephemeral');
    assert.equal(grantRow(h, requestId), undefined, 'a late approve on a denied request grants nothing');
  });

  test('the requester cannot approve their own request, nor can someone who is not an approver', async () => {
    const requestId = requestIdIn(await h.ask(USERS.lead, 'prod-db 30m own work INC-8'));
    const self = await h.click(USERS.lead, 'approve', requestId);
    assert.match(String((await h.slack.waitForResponse(self.responseName)).body['text']), /cannot approve your own request/);
    const stranger = await h.click(USERS.bob, 'approve', requestId);
    assert.match(String((await h.slack.waitForResponse(stranger.responseName)).body['text']), /not an approver/);
    const status = h.sqlite.prepare('select status from requests where id = ?').get(requestId) as { status: string };
    assert.equal(status.status, 'pending');
    assert.equal(grantRow(h, requestId), undefined);
    const refused = auditActions(h, requestId).filter((a) => a === 'decision.refused');
    assert.equal(refused.length, 2, 'each refused click is audited');
  });

  test('many approve clicks at once, from two approvers and Slack retries, create exactly one grant', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'prod-db 20m race INC-9'));
    const before = h.webhook.deliveries.length;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => h.click(i % 2 === 0 ? USERS.lead : USERS.lead2, 'approve', requestId, i >= 8 ? { retryNum: i - 7 } : {})),
    );
    await eventually('grant provisioned', () => grantRow(h, requestId)?.provisioned_at ?? undefined);
    const grants = h.sqlite.prepare('select count(*) as n from grants where request_id = ?').get(requestId) as { n: number };
    assert.equal(grants.n, 1);
    const approvals = auditActions(h, requestId).filter((a) => a === 'request.approved');
    assert.equal(approvals.length, 1);
    const grantDeliveries = h.webhook.deliveries.slice(before).filter((d) => d.body.request_id === requestId);
    assert.equal(grantDeliveries.length, 1, 'the provisioner is called once');
  });

  test('release ends my access at once with reason released', async () => {
    const requestId = requestIdIn(await h.ask(USERS.bob, 'prod-db 1h release me INC-10'));
    await h.click(USERS.lead, 'approve', requestId);
    const grant = await eventually('grant provisioned', () => {
      const row = grantRow(h, requestId);
      return row?.provisioned_at ? row : undefined;
    });
    const reply = await h.ask(USERS.bob, `release ${grant.id}`);
    assert.match(reply, /Ending \*prod-db\*/);
    const revoked = await eventually('released', () => (grantRow(h, requestId)?.status === 'revoked' ? grantRow(h, requestId) : undefined));
    assert.equal(revoked.revoke_reason, 'released');
    const delivery = await eventually('revoke webhook', () => h.webhook.deliveries.find((d) => d.body.grant_id === grant.id && d.body.type === 'access.revoke'));
    assert.equal(delivery.body.revoke_reason, 'released');
    assert.match(await h.ask(USERS.bob, `release ${grant.id}`), /no active access/);
  });

  test('cancel withdraws my pending request and closes the approval message', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'prod-db 15m oops INC-11'));
    assert.match(await h.ask(USERS.bob, `cancel ${requestId}`), /no request called/);
    assert.match(await h.ask(USERS.alice, `cancel ${requestId}`), /Cancelled/);
    await h.slack.waitForCall('chat.update', (c) => /Cancelled by the requester/.test(JSON.stringify(c.args['blocks'])));
    const click = await h.click(USERS.lead, 'approve', requestId);
    assert.match(String((await h.slack.waitForResponse(click.responseName)).body['text']), /already cancelled/);
  });

  test('list shows my pending requests and active access', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'staging 10m check deploy'));
    const text = await h.ask(USERS.alice, 'list');
    assert.match(text, /Waiting for approval/);
    assert.ok(text.includes(requestId));
  });

  test('an approver in a Slack user group may decide; the group is read with usergroups.users.list', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'staging 10m deploy check'));
    await h.click(USERS.sec, 'approve', requestId);
    await eventually('staging grant', () => grantRow(h, requestId));
    assert.ok(h.slack.callsTo('usergroups.users.list').some((c) => c.args['usergroup'] === 'S0SECURITY'));
  });

  test('App Home shows my active access and pending requests', async () => {
    const requestId = requestIdIn(await h.ask(USERS.bob, 'staging 20m home tab'));
    const res = await h.event({ type: 'app_home_opened', user: USERS.bob, channel: 'D0BOB', tab: 'home', event_ts: String(Date.now() / 1000) });
    assert.equal(res.status, 200);
    const publish = await h.slack.waitForCall('views.publish', (c) => c.args['user_id'] === USERS.bob);
    const view = JSON.stringify(publish.args['view']);
    assert.ok(view.includes(requestId), 'the pending request is listed');
    assert.match(view, /Waiting for approval/);
  });
});
