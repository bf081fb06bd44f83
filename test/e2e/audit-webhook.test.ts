import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, startHarness, USERS, WEBHOOK_SECRET, type Harness } from '../support/harness.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

interface Streamed {
  type: string;
  data: { seq: number; action: string; hash: string; prev_hash: string };
}

describe('settings.audit_webhook streams every audit event to a SIEM', () => {
  let siem: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let h: Harness;
  before(async () => {
    siem = await startWebhookReceiver(WEBHOOK_SECRET);
    h = await startHarness({ settings: { audit_webhook: `{ url: "${siem.url}", secret_env: PROD_DB_WEBHOOK_SECRET, timeout: 2s }` } });
  });
  after(async () => {
    await h.close();
    await siem.close();
  });

  const auditCount = () => h.bot.database.sqlite.prepare('select count(*) from audit_events').pluck().get() as number;
  const accepted = () => siem.deliveries.filter((d) => d.status === 204).map((d) => d.body as unknown as Streamed);

  test('in chain order, signed, each once, with the hashes', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'prod-db 2s siem INC-1'));
    await h.click(USERS.lead, 'approve', requestId);
    await eventually('revoked', () => (h.grantFor(requestId)?.status === 'revoked' ? true : undefined), 8_000);
    const events = await eventually('every event streamed', () => (accepted().length === auditCount() ? accepted() : undefined), 8_000);
    assert.deepEqual(events.map((e) => e.data.seq), Array.from({ length: events.length }, (_, i) => i + 1));
    assert.ok(siem.deliveries.every((d) => d.verified), 'Standard Webhooks signatures verify');
    assert.deepEqual(siem.deliveries.map((d) => d.id).slice(0, 2), ['audit-1', 'audit-2']);
    assert.equal(events[0]?.type, 'audit.event');
    assert.ok(events.map((e) => e.data.action).includes('grant.revoked'));
    const stored = h.bot.database.sqlite.prepare('select hash from audit_events where seq = ?').pluck().get(events.length);
    assert.equal(events.at(-1)?.data.hash, stored);
    assert.equal(events[1]?.data.prev_hash, events[0]?.data.hash);
  });

  test('a failing SIEM gets the same event again, with the same webhook-id, and nothing after it until it takes it', async () => {
    const before = siem.deliveries.length;
    siem.respondWith(503, 2);
    await h.ask(USERS.outsider, 'nope 1h not a resource');
    await h.ask(USERS.bob, 'staging 10m siem retry');
    await eventually('caught up', () => (accepted().length === auditCount() ? true : undefined), 10_000);
    const attempts = siem.deliveries.slice(before);
    assert.deepEqual(attempts.slice(0, 3).map((d) => d.status), [503, 503, 204]);
    assert.equal(new Set(attempts.slice(0, 3).map((d) => d.id)).size, 1, 'the same event three times');
    const seqs = accepted().map((e) => e.data.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'still in order');
    assert.equal(new Set(seqs).size, seqs.length, 'nothing accepted twice');
    // The forwarder records its progress just after the receiver answers: wait for that write.
    const progress = () => ({ ...(h.bot.database.sqlite.prepare("select delivered_seq, last_error from audit_forwarding where stream = 'audit_webhook'").get() as { delivered_seq: number; last_error: string | null }) });
    await eventually('the progress recorded', () => (progress().delivered_seq === auditCount() ? true : undefined));
    assert.deepEqual(progress(), { delivered_seq: auditCount(), last_error: null });
  });
});
