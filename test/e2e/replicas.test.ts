import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, SIGNING_SECRET, startHarness, USERS, type Harness } from '../support/harness.js';
import { blockActionBody, signedPost, slashCommandBody } from '../support/slack-requests.js';
import type { Jitbot } from '../../src/jitbot.js';
import { LEASE_TTL_MS } from '../../src/jobs/lease.js';

const FORM = 'application/x-www-form-urlencoded';

/** How many sweeps a bot has run since this was called (its reconciler, wrapped). */
function countSweeps(bot: Jitbot): () => number {
  let sweeps = 0;
  const sweep = bot.reconciler.sweep.bind(bot.reconciler);
  bot.reconciler.sweep = async () => {
    sweeps += 1;
    return sweep();
  };
  return () => sweeps;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('two replicas on one PostgreSQL database', () => {
  let h: Harness;
  let first: Jitbot;
  let second: { bot: Jitbot; eventsUrl: string };
  before(async () => {
    h = await startHarness({ postgres: true, captureLogs: true });
    first = h.bot;
    second = await h.startAnother('all');
  });
  after(async () => {
    await h.close();
  });

  test('the same signed slash command delivered to both replicas (Slack retrying on the other) creates one request', async () => {
    const body = slashCommandBody({ text: 'prod-db 1h twice INC-7', userId: USERS.alice, responseUrl: h.slack.responseUrl('twice') });
    const [a, b] = await Promise.all([signedPost(h.eventsUrl, SIGNING_SECRET, body, FORM), signedPost(second.eventsUrl, SIGNING_SECRET, body, FORM, { retryNum: 1 })]);
    assert.deepEqual([a.status, b.status], [200, 200]);
    await eventually('the request', async () => (await first.store.listRequests({ userId: USERS.alice }, undefined, 100)).find((r) => r.reason.includes('twice')));
    await pause(500);
    const made = (await second.bot.store.listRequests({ userId: USERS.alice }, undefined, 100)).filter((r) => r.reason.includes('twice'));
    assert.equal(made.length, 1);
  });

  test('two approvers clicking at once on two replicas make one grant, provisioned and revoked once', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'prod-db 3s race INC-8'));
    const click = (url: string, userId: string) => signedPost(url, SIGNING_SECRET, blockActionBody({ actionId: 'approve', value: requestId, userId, responseUrl: h.slack.responseUrl(`race-${userId}`), channelId: 'C0DBAPPROVALS' }), FORM);
    await Promise.all([click(h.eventsUrl, USERS.lead), click(second.eventsUrl, USERS.lead2)]);
    const grant = await eventually('the grant', async () => (await first.store.listGrants({ userId: USERS.alice }, undefined, 100)).find((g) => g.requestId === requestId));
    await eventually('revoked', async () => ((await first.store.findGrant(grant.id))?.status === 'revoked' ? true : undefined), 10_000);
    await pause(1_500);
    assert.equal((await first.store.listGrants({ userId: USERS.alice }, undefined, 100)).filter((g) => g.requestId === requestId).length, 1);
    const audited = (await first.store.listAuditEvents({}, 0, 10_000)).filter((e) => e.subjectId === requestId || e.subjectId === grant.id).map((e) => e.action);
    assert.equal(audited.filter((a) => a === 'request.approved').length, 1);
    assert.equal(audited.filter((a) => a === 'grant.revoked').length, 1);
    assert.deepEqual(h.webhook.deliveries.filter((d) => d.body.grant_id === grant.id).map((d) => d.body.type), ['access.grant', 'access.revoke']);
  });

  test('the sweep runs on the lease holder only; when it dies without letting go, the other takes over within the lease ttl', async (t) => {
    const holds = (bot: Jitbot) => bot.heldLeases().includes('reconcile');
    const holder = await eventually('one holder', () => (holds(first) !== holds(second.bot) ? (holds(first) ? first : second.bot) : undefined));
    const standby = holder === first ? second.bot : first;
    assert.deepEqual(standby.heldLeases(), [], 'the drift check is held by one replica too');
    const sweepsOf = { holder: countSweeps(holder), standby: countSweeps(standby) };
    await pause(5_000); // reconcile_interval is 1 s: a few sweeps, however long one takes on a busy machine
    assert.ok(sweepsOf.holder() >= 2, `the holder swept ${sweepsOf.holder()} times`);
    assert.equal(sweepsOf.standby(), 0);
    const taken = h.logs.filter((line) => line['msg'] === 'lease taken: this replica runs it' && line['lease'] === 'reconcile');
    assert.deepEqual(taken.map((line) => line['replica']), [holder.replicaId], 'every log line names its replica');

    const died = Date.now();
    await holder.stop({ releaseLeases: false });
    await eventually('the standby holds the sweep', () => (holds(standby) ? true : undefined), LEASE_TTL_MS + 5_000);
    await eventually('and sweeps', () => (sweepsOf.standby() > 0 ? true : undefined), 3_000);
    const tookOverMs = Date.now() - died;
    assert.ok(tookOverMs <= LEASE_TTL_MS + LEASE_TTL_MS / 3 + 1_000, `took over after ${tookOverMs} ms`);
    await eventually('and the drift check', () => (standby.heldLeases().includes('drift') ? true : undefined), LEASE_TTL_MS);
    t.diagnostic(`took over ${tookOverMs} ms after the holder died (lease ttl ${LEASE_TTL_MS} ms)`);
  });
});
