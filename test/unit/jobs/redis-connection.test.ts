import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { parseEnv } from '../../../src/config/env.js';
import { queuePrefix } from '../../../src/jobs/queue-prefix.js';
import { redisConnection, redisSettings } from '../../../src/jobs/redis-connection.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { uniquePrefix } from '../../support/redis-prefix.js';
import { startSentinelRedis } from '../../support/redis-sentinel.js';

/** A queue and its worker over the bot's two kinds of connection, through the Sentinels. */
function queueThroughSentinel(sentinels: string) {
  const env = parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'shh', AUDIT_HMAC_KEY: TEST_AUDIT_KEY, REDIS_SENTINELS: sentinels });
  const settings = redisSettings(env);
  const producer = redisConnection(settings, 'producer');
  const workerConnection = redisConnection(settings, 'worker');
  producer.on('error', () => undefined);
  workerConnection.on('error', () => undefined);
  const prefix = queuePrefix(uniquePrefix());
  const queue = new Queue('failover', { connection: producer, prefix });
  queue.on('error', () => undefined);
  const done: string[] = [];
  const worker = new Worker('failover', async (job) => void done.push(job.name), { connection: workerConnection, prefix });
  worker.on('error', () => undefined);
  return {
    prefix,
    queue,
    done,
    /** Adds until the producer takes it (it refuses while it has no master), then waits for the worker to run it. */
    async addAndRun(name: string, timeoutMs = 15_000): Promise<string> {
      let id: string | undefined;
      await waitFor(async () => queue.add(name, {}).then((job) => ((id = job.id), true), () => false), timeoutMs);
      await waitFor(() => done.includes(name), timeoutMs);
      return id ?? '';
    },
    async close(): Promise<void> {
      await worker.close(true);
      await queue.close();
      producer.disconnect();
      workerConnection.disconnect();
    },
  };
}

describe('Redis through Sentinel (real redis-server and redis-sentinel processes)', { timeout: 90_000 }, () => {
  let redis: Awaited<ReturnType<typeof startSentinelRedis>>;
  before(async () => {
    redis = await startSentinelRedis({ sentinelCount: 3 });
  });
  after(async () => {
    await redis.stop();
  });

  test('producer and worker connections follow the master when Sentinel promotes the replica', async (t) => {
    const jobs = queueThroughSentinel(redis.sentinels);
    try {
      await jobs.addAndRun('before', 5_000);
      const killedAt = Date.now();
      await redis.killMaster();
      // The producer fails fast while there is no master (Slack's 3 s), rather than queueing in memory.
      await assert.rejects(jobs.queue.add('during', {}));
      await redis.promoted();
      const promotedAt = Date.now();
      await jobs.addAndRun('after');
      t.diagnostic(`killed master → Sentinel promoted the replica: ${promotedAt - killedAt} ms; → first job done on the new master: ${Date.now() - killedAt} ms`);
      const newMaster = new Redis(redis.replicaUrl);
      try {
        assert.equal((await newMaster.role())[0], 'master');
        assert.ok((await newMaster.keys(`${jobs.prefix}:failover:*`)).length > 0, 'the queue lives on the promoted replica now');
      } finally {
        newMaster.disconnect();
      }
    } finally {
      await jobs.close();
    }
  });
});

describe('Redis through Sentinel, a planned failover', { timeout: 90_000 }, () => {
  let redis: Awaited<ReturnType<typeof startSentinelRedis>>;
  before(async () => {
    redis = await startSentinelRedis({ sentinelCount: 1 });
  });
  after(async () => {
    await redis.stop();
  });

  test('the old master stays up until demoted, and the connections move to the new master on +switch-master, before that', async () => {
    const jobs = queueThroughSentinel(redis.sentinels);
    try {
      await jobs.addAndRun('before', 5_000);
      await redis.failover();
      await redis.promoted();
      // The Sentinels publish +switch-master as they name the new master; it reaches the connections
      // within moments. Without failoverDetector they would keep writing to the old master until it
      // is demoted, and lose those writes.
      await sleep(500);
      const afterId = await jobs.addAndRun('after');
      const oldMaster = new Redis(redis.masterUrl);
      const newMaster = new Redis(redis.replicaUrl);
      try {
        // Sentinel demotes the old master a moment later; what was written to it meanwhile is then gone.
        await waitFor(async () => (await oldMaster.role())[0] === 'slave', 15_000);
        assert.equal(await newMaster.hget(`${jobs.prefix}:failover:${afterId}`, 'name'), 'after', 'written to the new master, not to the one being demoted');
        await jobs.addAndRun('after-demotion');
      } finally {
        oldMaster.disconnect();
        newMaster.disconnect();
      }
    } finally {
      await jobs.close();
    }
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(50);
  }
}
