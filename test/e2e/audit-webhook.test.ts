import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, startHarness, USERS, WEBHOOK_SECRET, type Harness } from '../support/harness.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointSignatureValid, type SignedCheckpoint } from '../../src/domain/audit-chain.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { createSqliteStore } from '../../src/store/sqlite/store.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

interface Streamed {
  type: string;
  data: { seq: number; action: string; hash: string; prev_hash: string };
}

const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;
const jitbotCli = (h: Harness, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', AUDIT_HMAC_KEY: TEST_AUDIT_KEY, DATABASE_PATH: join(h.dir, 'jitbot.sqlite') }, encoding: 'utf8' });

const siemSettings = (url: string) => ({ audit_webhook: `{ url: "${url}", secret_env: PROD_DB_WEBHOOK_SECRET, timeout: 2s }` });
const auditCountOf = (h: Harness) => h.sqlite.prepare('select count(*) from audit_events').pluck().get() as number;
const streamed = (siem: Awaited<ReturnType<typeof startWebhookReceiver>>, type: string) => siem.deliveries.filter((d) => d.status === 204 && (d.body as unknown as Streamed).type === type);
const acceptedEvents = (siem: Awaited<ReturnType<typeof startWebhookReceiver>>) => streamed(siem, 'audit.event').map((d) => d.body as unknown as Streamed);
const acceptedCheckpoints = (siem: Awaited<ReturnType<typeof startWebhookReceiver>>) => streamed(siem, 'audit.checkpoint').map((d) => (d.body as unknown as { data: SignedCheckpoint }).data);
const securityPosts = (h: Harness, start: string) => h.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === 'C0SECURITY' && String(c.args['text']).startsWith(start));

/** Writes events straight into the file (the bot is down), as another jitbot process would. */
async function writeEvents(h: Harness, count: number): Promise<void> {
  const database = openDatabase(join(h.dir, 'jitbot.sqlite'));
  const store = createSqliteStore(database, { auditKey: TEST_AUDIT_KEY });
  for (let i = 0; i < count; i += 1) await store.recordEvent({ at: Date.now(), actor: 'U0BOB', action: 'decision.refused', subjectType: 'request', subjectId: `req-while-down-${i}` });
  database.close();
}

/** Raw SQL on the file while the bot is down: what an attacker with write access does. */
function tamper(h: Harness, sql: string): void {
  const database = openDatabase(join(h.dir, 'jitbot.sqlite'));
  database.sqlite.exec(sql);
  database.close();
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

  const auditCount = () => auditCountOf(h);
  const accepted = () => acceptedEvents(siem);

  test('in chain order, signed, each once, with the hashes', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'prod-db 2s siem INC-1'));
    await h.click(USERS.lead, 'approve', requestId);
    await eventually('revoked', () => (h.grantFor(requestId)?.status === 'revoked' ? true : undefined), 8_000);
    const events = await eventually('every event streamed', () => (accepted().length === auditCount() ? accepted() : undefined), 8_000);
    assert.deepEqual(events.map((e) => e.data.seq), Array.from({ length: events.length }, (_, i) => i + 1));
    assert.ok(siem.deliveries.every((d) => d.verified), 'Standard Webhooks signatures verify');
    assert.deepEqual(siem.deliveries.map((d) => d.id).filter((id) => id.startsWith('audit-')).slice(0, 2), ['audit-1', 'audit-2'], 'each event’s webhook-id is audit-<seq>');
    assert.equal(events[0]?.type, 'audit.event');
    assert.ok(events.map((e) => e.data.action).includes('grant.revoked'));
    const stored = h.sqlite.prepare('select hash from audit_events where seq = ?').pluck().get(events.length);
    assert.equal(events.at(-1)?.data.hash, stored);
    assert.equal(events[1]?.data.prev_hash, events[0]?.data.hash);

    const checkpoint = await eventually('a checkpoint of the last event', () => acceptedCheckpoints(siem).find((c) => c.seq === events.length), 8_000);
    assert.equal(checkpoint.head_hash, stored);
    assert.ok(checkpointSignatureValid(TEST_AUDIT_KEY, checkpoint), 'signed with AUDIT_HMAC_KEY');
    assert.ok(!checkpointSignatureValid(TEST_AUDIT_KEY, { ...checkpoint, seq: checkpoint.seq - 1 }), 'the signature covers the seq');
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
    const progress = () => ({ ...(h.sqlite.prepare("select delivered_seq, last_error from audit_forwarding where stream = 'audit_webhook'").get() as { delivered_seq: number; last_error: string | null }) });
    await eventually('the progress recorded', () => (progress().delivered_seq === auditCount() ? true : undefined));
    assert.deepEqual(progress(), { delivered_seq: auditCount(), last_error: null });
  });
});

describe('the audit stream refuses a position it cannot trust, instead of skipping events', () => {
  let siem: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let h: Harness;
  before(async () => {
    siem = await startWebhookReceiver(WEBHOOK_SECRET);
    h = await startHarness({ settings: siemSettings(siem.url) });
  });
  after(async () => {
    await h.close();
    await siem.close();
  });

  const delivered = () => h.sqlite.prepare("select delivered_seq from audit_forwarding where stream = 'audit_webhook'").pluck().get() as number | undefined;
  const caughtUp = () => eventually('every event streamed', () => (delivered() === auditCountOf(h) && acceptedEvents(siem).length === auditCountOf(h) ? true : undefined), 10_000);

  test('delivered_seq moved ahead (hash copied) while the bot was down: nothing is sent, security is alerted, and resume-forwarding goes on from where the SIEM is', async () => {
    await h.ask(USERS.outsider, 'nope 1h not a resource');
    await h.ask(USERS.bob, 'staging 10m looking around');
    await caughtUp();
    const was = auditCountOf(h);
    await h.restart({
      whileDown: async () => {
        await writeEvents(h, 4);
        tamper(h, `UPDATE audit_forwarding SET delivered_seq = ${was + 2}, delivered_hash = (SELECT hash FROM audit_events WHERE seq = ${was + 2})`);
      },
    });
    const alert = await eventually('the alert in the security channel', () => securityPosts(h, '🚨 *The audit stream to the SIEM stopped*')[0], 10_000);
    assert.match(String(alert.args['text']), /not signed with AUDIT_HMAC_KEY/);
    assert.deepEqual(acceptedEvents(siem).map((e) => e.data.seq).filter((seq) => seq > was), [], 'nothing after the true position was sent');
    const status = h.sqlite.prepare("select last_error from audit_forwarding where stream = 'audit_webhook'").pluck().get();
    assert.match(String(status), /audit_webhook stopped: its position \(after seq \d+\) is not signed/);

    const resume = jitbotCli(h, ['audit', 'resume-forwarding', '--after', String(was)]);
    assert.equal(resume.status, 0, resume.stderr);
    await caughtUp();
    const seqs = acceptedEvents(siem).map((e) => e.data.seq);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), 'every event, once, in order: none skipped');
    const resumed = h.sqlite.prepare("select actor, details from audit_events where action = 'audit.forwarding_resumed'").get() as { actor: string; details: string };
    assert.match(resumed.actor, /^cli:/);
    assert.deepEqual(JSON.parse(resumed.details), { after_seq: was, stored_seq_before: was + 2 });
  });

  test('an undelivered event deleted from the file: the stream stops at the gap and says which events are missing', async () => {
    const was = auditCountOf(h);
    await h.restart({
      whileDown: async () => {
        await writeEvents(h, 3);
        tamper(h, `DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = ${was + 1}`);
      },
    });
    const alert = await eventually('the alert in the security channel', () => securityPosts(h, '🚨 *The audit stream to the SIEM stopped*').find((p) => String(p.args['text']).includes('missing')), 10_000);
    assert.match(String(alert.args['text']), new RegExp(`the next event after seq ${was} is seq ${was + 2}: events are missing`));
    assert.equal(delivered(), was, 'the position stays before the gap');
    assert.deepEqual(acceptedEvents(siem).map((e) => e.data.seq).filter((seq) => seq > was), []);
  });
});

describe('the daily audit checkpoint', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('a BullMQ job scheduler posts a signed checkpoint of the head in the security channel, which audit verify --checkpoint accepts', async () => {
    const queue = h.bot.checkpointSchedule?.queue;
    assert.ok(queue, 'the worker role runs the schedule');
    const scheduler = await queue.getJobScheduler('audit-checkpoint');
    assert.deepEqual([scheduler?.pattern, scheduler?.tz], ['0 0 * * *', 'UTC']);
    await h.ask(USERS.alice, 'prod-db 30m checking INC-9');
    const [next] = await queue.getDelayed();
    assert.ok(next, 'the next run waits as a delayed job');
    h.clock.advance((next.opts.prevMillis ?? 0) - h.clock.now().toMillis()); // its slot: promoted before it, a run only waits again
    await next.promote();
    const post = await eventually('the checkpoint in the security channel', () => securityPosts(h, '🔏 *Audit checkpoint*')[0], 10_000);
    const text = String(post.args['text']);
    const json = /```(.*)```/s.exec(text)?.[1];
    assert.ok(json, text);
    const checkpoint = JSON.parse(json) as SignedCheckpoint;
    assert.deepEqual([checkpoint.seq, checkpoint.head_hash], [auditCountOf(h), h.sqlite.prepare('select hash from audit_events order by seq desc limit 1').pluck().get()]);
    assert.ok(text.includes(`--checkpoint ${checkpoint.seq}:${checkpoint.head_hash}`), 'the short form to paste');
    const file = join(h.dir, 'checkpoint.json');
    writeFileSync(file, json);
    const run = jitbotCli(h, ['audit', 'verify', '--checkpoint', file]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`reaches the signed checkpoint at event ${checkpoint.seq}`));
  });
});
