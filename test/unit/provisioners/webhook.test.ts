import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { systemClock } from '../../../src/domain/clock.js';
import type { AccessEvent } from '../../../src/provisioners/provisioner.js';
import { ProvisionerError } from '../../../src/provisioners/provisioner.js';
import { createWebhookProvisioner } from '../../../src/provisioners/webhook.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.js';

const event: AccessEvent = {
  type: 'access.grant',
  grant_id: 'grt-abc',
  request_id: 'req-abc',
  exception_id: null,
  resource: 'prod-db',
  user: { slack_id: 'U0ALICE', email: 'alice@example.com' },
  granted_at: '2026-11-24T14:00:00.000Z',
  expires_at: '2026-11-24T14:30:00.000Z',
  reason: 'debugging INC-4211',
  revoke_reason: null,
};

for (const [kind, secret] of [
  ['a whsec_ secret', 'whsec_' + Buffer.from('s3cr3t-bytes-for-the-test').toString('base64')],
  ['a plain UTF-8 secret', 'plain secret with ünïcødé'],
] as const) {
  describe(`webhook deliveries signed with ${kind}`, () => {
    let receiver: WebhookReceiver;
    before(async () => {
      receiver = await startWebhookReceiver(secret);
    });
    after(async () => {
      await receiver.close();
    });

    test('carry the documented body and headers and verify with the Standard Webhooks library', async () => {
      const provisioner = createWebhookProvisioner({ url: receiver.url, secret, timeoutMs: 2_000, clock: systemClock });
      await provisioner.apply(event);
      const [delivery] = await receiver.waitForDeliveries(1);
      assert.ok(delivery);
      assert.equal(delivery.verified, true);
      assert.equal(delivery.id, 'grt-abc.grant');
      assert.deepEqual(delivery.body, event);
      assert.match(delivery.signature, /^v1,[A-Za-z0-9+/]+=*$/);
      assert.ok(Math.abs(Number(delivery.timestamp) - Date.now() / 1000) < 5);
    });
  });
}

describe('webhook failures', () => {
  const secret = 'whsec_' + Buffer.from('another-secret-value').toString('base64');
  let receiver: WebhookReceiver;
  before(async () => {
    receiver = await startWebhookReceiver(secret);
  });
  after(async () => {
    await receiver.close();
  });

  test('a tampered body does not verify', () => {
    const signer = new Webhook(secret);
    const timestamp = new Date();
    const signature = signer.sign('grt-abc.grant', timestamp, JSON.stringify(event));
    const headers = { 'webhook-id': 'grt-abc.grant', 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': signature };
    assert.throws(() => signer.verify(JSON.stringify({ ...event, user: { ...event.user, slack_id: 'U0EVE' } }), headers));
  });

  test('a non-2xx answer is a ProvisionerError naming the status; the retry carries the same webhook-id; the secret is never in the message', async () => {
    const provisioner = createWebhookProvisioner({ url: receiver.url, secret, timeoutMs: 2_000, clock: systemClock });
    receiver.respondWith(500);
    const revoke: AccessEvent = { ...event, type: 'access.revoke', revoke_reason: 'expired' };
    await assert.rejects(provisioner.apply(revoke), (error: unknown) => {
      assert.ok(error instanceof ProvisionerError);
      assert.match(error.message, /HTTP 500/);
      assert.ok(!error.message.includes(secret) && !error.message.includes('another-secret'));
      return true;
    });
    await provisioner.apply(revoke);
    const ids = receiver.deliveries.filter((d) => d.body.type === 'access.revoke').map((d) => d.id);
    assert.deepEqual(ids, ['grt-abc.revoke', 'grt-abc.revoke']);
  });

  test('a receiver that never answers fails at the timeout', async () => {
    const provisioner = createWebhookProvisioner({ url: receiver.url, secret, timeoutMs: 300, clock: systemClock });
    receiver.hangNext();
    const started = Date.now();
    await assert.rejects(provisioner.apply(event), /no answer .* within 0.3 s/);
    assert.ok(Date.now() - started < 2_000);
  });

  test('an error names the URL as origin and path only, and quotes the answer redacted and capped', async () => {
    const url = receiver.url.replace('http://', 'http://svc:hunter2@') + '?code=s3cret#frag';
    const provisioner = createWebhookProvisioner({ url, secret, timeoutMs: 2_000, clock: systemClock });
    receiver.respondWith(502, 1, `upstream postgres://app:b0dy-pw@db.internal/app refused; ${'x'.repeat(5_000)}`);
    await assert.rejects(provisioner.apply(event), (error: unknown) => {
      assert.ok(error instanceof ProvisionerError);
      assert.ok(error.message.startsWith(`webhook: HTTP 502 from ${receiver.url}: upstream postgres://db.internal/app refused;`), error.message);
      for (const leak of ['hunter2', 's3cret', 'frag', 'b0dy-pw']) assert.ok(!error.message.includes(leak), `${leak} in ${error.message}`);
      assert.ok(error.message.length < 500, 'the answer is capped');
      assert.equal(error.quotesOutside, true, "the receiver's words are not jitbot's");
      return true;
    });
    const unreachable = createWebhookProvisioner({ url: 'http://svc:hunter2@127.0.0.1:9/hook?code=s3cret', secret, timeoutMs: 1_000, clock: systemClock });
    await assert.rejects(unreachable.apply(event), (error: unknown) => {
      assert.ok(error instanceof ProvisionerError);
      assert.match(error.message, /^webhook: cannot reach http:\/\/127\.0\.0\.1:9\/hook: /);
      assert.ok(!error.message.includes('hunter2') && !error.message.includes('s3cret'), error.message);
      return true;
    });
  });

  test('an unreachable receiver is a ProvisionerError, not a crash', async () => {
    const provisioner = createWebhookProvisioner({ url: 'http://127.0.0.1:9/hook', secret, timeoutMs: 1_000, clock: systemClock });
    await assert.rejects(provisioner.apply(event), /cannot reach http:\/\/127.0.0.1:9\/hook/);
  });
});
