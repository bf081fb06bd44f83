import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, SIGNING_SECRET, startHarness, USERS, type Harness } from '../support/harness.js';
import { signedPost, slashCommandBody } from '../support/slack-requests.js';

describe('a split deployment: JITBOT_ROLE=web answers Slack, JITBOT_ROLE=worker runs the timers', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ role: 'web', env: { METRICS_PORT: '0' } });
  });
  after(async () => {
    await h.close();
  });

  test('the web process alone records requests and decisions but provisions and revokes nothing', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'prod-db 2s split INC-1'));
    await h.click(USERS.lead, 'approve', requestId);
    const grant = await eventually('grant recorded', () => h.grantFor(requestId));
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal(h.webhook.deliveries.filter((d) => d.body.grant_id === grant.id).length, 0, 'no worker, no provisioning');
    assert.equal(h.grantById(grant.id)?.status, 'active', 'and no revocation, however overdue');

    // The worker comes up, finds the overdue grant in SQLite, and revokes it (without ever granting it).
    await h.startAnother('worker');
    const revoked = await eventually('revoked by the worker', () => (h.grantById(grant.id)?.status === 'revoked' ? h.grantById(grant.id) : undefined), 8_000);
    assert.equal(revoked.revoke_reason, 'expired');
    assert.deepEqual(h.webhook.deliveries.filter((d) => d.body.grant_id === grant.id).map((d) => d.body.type), ['access.revoke']);
  });

  test('with both up, a grant approved through the web process is provisioned and revoked on time by the worker', async () => {
    const requestId = requestIdIn(await h.ask(USERS.bob, 'prod-db 2s split again INC-2'));
    await h.click(USERS.lead, 'approve', requestId);
    const grant = await eventually('grant', () => h.grantFor(requestId));
    await eventually('provisioned', () => h.webhook.deliveries.find((d) => d.body.grant_id === grant.id && d.body.type === 'access.grant'));
    const revoked = await eventually('revoked', () => (h.grantById(grant.id)?.status === 'revoked' ? h.grantById(grant.id) : undefined), 6_000);
    assert.ok((revoked.revoked_at ?? 0) - revoked.expires_at < 1_000);
  });

  test('a worker process does not answer Slack; its health and metrics endpoints work', async () => {
    const worker = await h.startAnother('worker');
    const body = slashCommandBody({ text: 'prod-db 1h INC-3', userId: USERS.alice, responseUrl: h.slack.responseUrl('nowhere') });
    const res = await signedPost(worker.eventsUrl, SIGNING_SECRET, body, 'application/x-www-form-urlencoded');
    assert.equal(res.status, 404);
    assert.equal((await fetch(worker.eventsUrl.replace('/slack/events', '/healthz'))).status, 200);
    assert.equal((await fetch(worker.metricsUrl)).status, 200);
  });
});
