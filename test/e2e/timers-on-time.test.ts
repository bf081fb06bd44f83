import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { eventually, exceptionIdIn, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';
import { dropPrefix } from '../support/redis-prefix.js';

/**
 * "No timer fires early": every timed step is recorded at or after its moment, and (its timer
 * in Redis, the worker running) within a second after it. Timed jobs reach the worker a few
 * seconds early on purpose (TIMER_LEAD_MS), so a step that does not wait out the rest shows here.
 */
const SECOND = 1_000;

function assertOnTime(what: string, at: number | null | undefined, dueAt: number): void {
  assert.ok(typeof at === 'number', `${what}: never happened`);
  const late = at - dueAt;
  assert.ok(late >= 0, `${what}: ${-late} ms before it was due`);
  assert.ok(late < SECOND, `${what}: ${late} ms after it was due`);
}

const row = <T>(h: Harness, sql: string, id: string) => h.sqlite.prepare(sql).get(id) as T | undefined;

/** quick: escalates after 3 s; wiki: opt-out exceptions anyone may ask, approved by security; payments: break-glass. */
const resources = (webhookUrl: string) => `
  quick:
    channel: C0QUICK
    approvers: [db-leads]
    max_duration: 1h
    escalation: { after: 3s, to: [${USERS.sec}] }
  wiki:
    channel: C0WIKI
    approvers: [db-leads]
    max_duration: 1h
    opt_out: { allowed: true, approvers: [security], max_duration: 1d, mode: auto_approve }
    provisioner: { type: webhook, url: ${webhookUrl}, secret_env: PROD_DB_WEBHOOK_SECRET, timeout: 2s }
  payments:
    channel: C0PAY
    approvers: [db-leads]
    max_duration: 2h
    break_glass: { allowed: true, eligible: [db-leads], max_duration: 1h }
`;

describe('timed steps in real time: never before they are due, and within a second after', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ policyExtra: resources, settings: { expiry_warning: '3s', pending_timeout: '6s', review_schedule: 'off' } });
  });
  after(async () => {
    await h.close();
  });

  test('an escalation after 3 s happens 3 s after the request, not when its job arrives', async () => {
    const id = requestIdIn(await h.ask(USERS.alice, 'quick 10m nobody answers'));
    const request = await eventually('the escalation', async () => (await h.bot.store.findRequest(id))?.escalatedAt ? await h.bot.store.findRequest(id) : undefined, 10 * SECOND);
    assertOnTime('escalation', request?.escalatedAt, (request?.createdAt ?? 0) + 3 * SECOND);
  });

  test('an unanswered request lapses pending_timeout after it was asked', async () => {
    const id = requestIdIn(await h.ask(USERS.alice, 'staging 10m nobody decides'));
    const lapsed = await eventually('the lapse', async () => ((await h.bot.store.findRequest(id))?.status === 'lapsed' ? await h.bot.store.findRequest(id) : undefined), 15 * SECOND);
    assertOnTime('lapse', lapsed?.decidedAt, (lapsed?.createdAt ?? 0) + 6 * SECOND);
  });

  test('a grant is warned expiry_warning before its end and revoked at its end', async () => {
    const id = requestIdIn(await h.ask(USERS.alice, 'prod-db 5s short fix INC-50'));
    await h.click(USERS.lead, 'approve', id);
    const grantId = (await eventually('the grant', () => h.grantFor(id))).id;
    const grant = await eventually('the revocation', () => (h.grantById(grantId)?.status === 'revoked' ? h.grantById(grantId) : undefined), 15 * SECOND);
    const warnedAt = row<{ warned_at: number | null }>(h, 'select warned_at from grants where id = ?', grantId)?.warned_at;
    assertOnTime('grant warning', warnedAt, (grant?.expires_at ?? 0) - 3 * SECOND);
    assertOnTime('revocation', grant?.revoked_at, grant?.expires_at ?? 0);
  });

  test('an exception reminds its holder expiry_warning before it closes, and closes at its end', async () => {
    const id = exceptionIdIn(await h.ask(USERS.bob, 'optout wiki 6s data migration'));
    await h.click(USERS.sec, 'approve', id);
    type ExceptionTimes = { status: string; ends_at: number; warned_at: number | null; closed_at: number | null };
    const closed = await eventually('the exception closed', () => {
      const e = row<ExceptionTimes>(h, 'select status, ends_at, warned_at, closed_at from exceptions where id = ?', id);
      return e?.status === 'closed' ? e : undefined;
    }, 15 * SECOND);
    assertOnTime('exception reminder', closed.warned_at, closed.ends_at - 3 * SECOND);
    assertOnTime('exception close', closed.closed_at, closed.ends_at);
  });

  test('when Redis loses every timer (as with FLUSHALL), the restored escalation and lapse still come on time', async () => {
    const id = requestIdIn(await h.ask(USERS.alice, 'quick 10m asked just before a flush'));
    await dropPrefix(h.prefix);
    const lapsed = await eventually('the lapse', async () => ((await h.bot.store.findRequest(id))?.status === 'lapsed' ? await h.bot.store.findRequest(id) : undefined), 15 * SECOND);
    assertOnTime('restored escalation', lapsed?.escalatedAt, (lapsed?.createdAt ?? 0) + 3 * SECOND);
    assertOnTime('restored lapse', lapsed?.decidedAt, (lapsed?.createdAt ?? 0) + 6 * SECOND);
  });
});

describe('timed steps far ahead, reached by moving the clock: never before they are due, and within a second after', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ policyExtra: resources, settings: { review_schedule: 'daily' } });
  });
  after(async () => {
    await h.close();
  });

  /** Moves the clock to `msBefore` ahead of `dueAt`, then hands the job to the worker at once. */
  async function bringForward(jobId: string, dueAt: number, msBefore: number): Promise<void> {
    h.clock.advance(dueAt - msBefore - h.clock.now().toMillis());
    const job = await eventually(`the job ${jobId}`, () => h.bot.accessQueue.queue.getJob(jobId).then((j) => j ?? undefined));
    // The sweep, running every second, may have handed it over already: then it is running early, as wanted.
    await job.promote().catch(async (error: unknown) => {
      if ((await job.getState()) === 'delayed') throw error;
    });
  }

  test('a scheduled start is provisioned at its start, however early its job runs', async () => {
    // Alice's own time zone: Europe/Paris.
    const start = h.clock.now().setZone('Europe/Paris').plus({ minutes: 30 }).startOf('minute');
    const id = requestIdIn(await h.ask(USERS.alice, `prod-db 1h at ${start.toFormat("yyyy-LL-dd'T'HH:mm")} night migration INC-51`));
    await h.click(USERS.lead, 'approve', id);
    const grant = await eventually('the grant', () => h.grantFor(id));
    await bringForward(`provision-${grant.id}`, grant.granted_at, 1_500);
    const provisioned = await eventually('provisioned', () => h.grantById(grant.id)?.provisioned_at ?? undefined, 10 * SECOND);
    assertOnTime('scheduled start', provisioned, grant.granted_at);
  });

  test('an unacknowledged break-glass use is re-posted an hour after it, not before', async () => {
    await h.ask(USERS.lead, 'payments 2h --emergency checkout is down');
    const use = await eventually('the break-glass use', () => row<{ grant_id: string; created_at: number }>(h, 'select grant_id, created_at from break_glass_uses where user_id = ?', USERS.lead));
    await bringForward(`remind-break-glass-${use.grant_id}`, use.created_at + 3_600_000, 1_500);
    await sleep(1_000); // the sweep runs every second meanwhile: it must not remind early either
    assert.equal(row<{ reminded_at: number | null }>(h, 'select reminded_at from break_glass_uses where grant_id = ?', use.grant_id)?.reminded_at, null, 'reminded early');
    const reminded = await eventually('the reminder', () => row<{ reminded_at: number | null }>(h, 'select reminded_at from break_glass_uses where grant_id = ?', use.grant_id)?.reminded_at ?? undefined, 10 * SECOND);
    assertOnTime('break-glass reminder', reminded, use.created_at + 3_600_000);
  });

  test('the scheduled security review runs at its slot: a run handed over early waits for it', async () => {
    const schedule = h.bot.reviewSchedule;
    assert.ok(schedule, 'the review schedule runs in this process');
    const next = await eventually('the next scheduled review', async () => (await schedule.queue.getDelayed()).find((j) => j.opts.prevMillis !== undefined));
    const slot = next.opts.prevMillis ?? 0;
    const stored = () => h.sqlite.prepare("select created_at from reviews where trigger = 'schedule'").pluck().all() as number[];
    await next.promote();
    await sleep(1_000);
    assert.deepEqual(stored(), [], 'a review ran before its slot');
    h.clock.advance(slot - 1_500 - h.clock.now().toMillis());
    const again = await eventually('the review job back in the delayed set', async () => {
      const job = await schedule.queue.getJob(next.id ?? '');
      return job && (await job.getState()) === 'delayed' ? job : undefined;
    });
    await again.promote();
    const [ranAt] = await eventually('the scheduled review', () => (stored().length > 0 ? stored() : undefined), 10 * SECOND);
    assertOnTime('scheduled review', ranAt, slot);
  });

  test('when Redis loses its data, the review schedule is re-created with the timers', async () => {
    await dropPrefix(h.prefix);
    const scheduler = await eventually('the review scheduler again', async () => (await h.bot.reviewSchedule?.queue.getJobScheduler('security-review')) ?? undefined);
    assert.equal(scheduler.pattern, '0 9 * * *');
  });
});
