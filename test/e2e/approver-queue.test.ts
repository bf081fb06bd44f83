import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exceptionIdIn, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';

const TIMEOUT = 30_000;

/** Pending requests of other people, older than anything asked in the test, straight into the store. */
async function seedPending(h: Harness, resource: string, count: number, from: string): Promise<void> {
  const now = h.clock.now().toMillis();
  for (let i = 0; i < count; i += 1) {
    await h.bot.store.createRequest({
      id: `req-${from}${resource.replace(/[^a-z]/g, '')}${i}`,
      requesterId: `U0SEED${i % 300}`,
      resource,
      durationMs: 1_800_000,
      reason: `INC-${i} seeded`,
      policyVersion: 'seed',
      createdAt: now - 60_000 + i,
    });
  }
}

/** Pending opt-out exceptions of other people (one each: one per person and resource), straight into the store. */
async function seedPendingExceptions(h: Harness, resource: string, count: number): Promise<void> {
  const now = h.clock.now().toMillis();
  for (let i = 0; i < count; i += 1) {
    const created = await h.bot.store.createException({ id: `exc-seed${i}`, userId: `U0SEEDX${i}`, resource, mode: 'auto_approve', durationMs: 86_400_000, reason: `seeded ${i}`, policyVersion: 'seed', createdAt: now - 60_000 + i });
    assert.equal(created.kind, 'created');
  }
}

const publishedTo = (h: Harness, userId: string, check: (view: string) => boolean) =>
  h.slack.waitForCall('views.publish', (c) => c.args['user_id'] === userId && check(JSON.stringify(c.args['view'])), TIMEOUT);

describe('the approver\'s queue in App Home is exact, however many requests are pending', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      policyExtra: `
  kiosk:
    channel: C0KIOSK
    approvers: [security]
    max_duration: 1h
    opt_out: { allowed: true, approvers: [security], max_duration: 1d }
  erp:
    channel: C0ERP
    approvers: [db-leads]
    max_duration: 1h
    opt_out: { allowed: true, approvers: [db-leads], max_duration: 1d }
`,
    });
    await seedPending(h, 'staging', 1_001, 'a');
    await seedPending(h, 'prod-db', 5, 'b');
    await seedPendingExceptions(h, 'kiosk', 1_001);
    // Opened once everything is seeded: a home drawn mid-seeding would be an earlier publish the tests could match.
    for (const user of [USERS.lead, USERS.sec]) assert.equal((await h.openHome(user)).status, 200);
  });
  after(async () => {
    await h.close();
  });

  test('a new production request shows in its approver\'s home behind more than a thousand older requests for another resource', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'prod-db 30m the real incident INC-4242'));
    const home = await publishedTo(h, USERS.lead, (view) => view.includes(requestId));
    assert.match(JSON.stringify(home.args['view']), /Waiting on you \(6\)/, 'the five older prod-db requests and the new one; none of the staging ones');
  });

  test('the count is exact past a thousand: security sees every one of the 1,001 staging requests and 1,001 kiosk exceptions waiting on it', async () => {
    assert.equal((await h.openHome(USERS.sec)).status, 200);
    const home = await publishedTo(h, USERS.sec, (view) => /Waiting on you \(\d+\)/.test(view));
    const view = JSON.stringify(home.args['view']);
    assert.match(view, /Waiting on you \(2002\)/);
    assert.equal(view.match(/…and 991 more/g)?.length, 2, 'the requests and the exceptions, ten of each shown');
  });

  test('a new opt-out exception shows in its approvers\' home behind more than a thousand older ones for another resource', async () => {
    const exceptionId = exceptionIdIn(await h.ask(USERS.alice, 'optout erp 1d month-end close'));
    await publishedTo(h, USERS.lead, (view) => view.includes(exceptionId));
  });
});
