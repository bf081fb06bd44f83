import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { ACCESS_QUEUE, jobIdFor } from '../../src/jobs/access-queue.js';
import { queuePrefix } from '../../src/jobs/queue-prefix.js';
import { eventually, requestIdIn, startHarness, USERS, type GrantState, type Harness } from '../support/harness.js';
import { startSentinelRedis } from '../support/redis-sentinel.js';

/** reconcile_interval (1 s in the test policy) plus the sweep's grace for timers that are merely slow (1 s), plus margin. */
const SWEEP_LATENESS_MS = 3_000;

describe('Redis failing over through Sentinel', { timeout: 120_000 }, () => {
  let redis: Awaited<ReturnType<typeof startSentinelRedis>>;
  let h: Harness;
  before(async () => {
    redis = await startSentinelRedis({ sentinelCount: 3 });
    h = await startHarness({ env: { REDIS_SENTINELS: redis.sentinels, REDIS_SENTINEL_NAME: redis.name } });
  });
  after(async () => {
    try {
      await h.close();
    } finally {
      await redis.stop();
    }
  });

  /** Whether the grant's revocation job is in the Redis at `url`. */
  async function hasRevokeJob(url: string, grantId: string): Promise<boolean> {
    const direct = new Redis(url);
    try {
      return (await direct.exists(`${queuePrefix(h.prefix)}:${ACCESS_QUEUE}:${jobIdFor('revoke', grantId)}`)) === 1;
    } finally {
      direct.disconnect();
    }
  }

  async function approved(userId: string, text: string): Promise<GrantState> {
    const requestId = requestIdIn(await h.ask(userId, text));
    await h.click(USERS.lead, 'approve', requestId);
    return eventually(`${text} provisioned`, async () => {
      const grant = await h.grantFor(requestId);
      return grant?.provisioned_at ? grant : undefined;
    });
  }

  async function revoked(grant: GrantState): Promise<{ lateMs: number }> {
    const done = await eventually(
      `${grant.id} revoked`,
      async () => {
        const now = await h.grantById(grant.id);
        return now?.status === 'revoked' ? now : undefined;
      },
      20_000,
    );
    assert.equal(done.revoke_reason, 'expired');
    const lateMs = (done.revoked_at ?? 0) - done.expires_at;
    assert.ok(lateMs >= 0, `${grant.id} revoked ${-lateMs} ms early`);
    return { lateMs };
  }

  test('SIGKILL the master: Sentinel promotes the replica, jitbot keeps granting and revoking, and the revocation the failover lost comes from the sweep', async (t) => {
    // Approved before the failover, its timers on the replica too; it expires after the failover.
    const beforeFailover = await approved(USERS.alice, 'prod-db 12s failover INC-41');
    await redis.replicated();
    // Approved after replication stopped: its revocation job dies with the master.
    await redis.cutReplication();
    const lostJob = await approved(USERS.bob, 'prod-db 7s failover INC-42');
    assert.equal(await hasRevokeJob(redis.masterUrl, lostJob.id), true);
    assert.equal(await hasRevokeJob(redis.replicaUrl, lostJob.id), false, 'the replica never got it');
    assert.equal(await hasRevokeJob(redis.replicaUrl, beforeFailover.id), true);

    const killedAt = Date.now();
    await redis.killMaster();
    await redis.promoted();
    const promotedAt = Date.now();
    const healthz = h.eventsUrl.replace('/slack/events', '/healthz');
    await eventually('healthy on the new master', async () => ((await fetch(healthz)).status === 200 ? true : undefined), 15_000);
    const healthyAt = Date.now();
    const afterFailover = await approved(USERS.alice, 'prod-db 4s after-failover INC-43');
    const firstJobAt = afterFailover.provisioned_at ?? 0;
    assert.equal(await hasRevokeJob(redis.replicaUrl, afterFailover.id), true, 'its timers are on the new master');
    t.diagnostic(
      `master SIGKILLed → Sentinel promoted the replica: ${promotedAt - killedAt} ms; → /healthz 200: ${healthyAt - killedAt} ms; → first job done (a new approval provisioned): ${firstJobAt - killedAt} ms`,
    );

    const onTime = await revoked(afterFailover);
    assert.ok(onTime.lateMs < 1_000, `its timer fired on the new master; late by ${onTime.lateMs} ms`);
    const swept = await revoked(lostJob);
    assert.ok(swept.lateMs < SWEEP_LATENESS_MS, `the sweep revoked it from the database; late by ${swept.lateMs} ms`);
    const replicated = await revoked(beforeFailover);
    assert.ok(replicated.lateMs < 1_000, `its replicated timer fired on the new master; late by ${replicated.lateMs} ms`);
    t.diagnostic(`revocation late by: replicated timer ${replicated.lateMs} ms, new timer ${onTime.lateMs} ms, lost timer (sweep) ${swept.lateMs} ms`);
  });
});
