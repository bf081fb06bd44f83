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

describe('Redis through Sentinel (real redis-server and redis-sentinel processes)', { timeout: 90_000 }, () => {
  let redis: Awaited<ReturnType<typeof startSentinelRedis>>;
  before(async () => {
    redis = await startSentinelRedis({ sentinelCount: 3 });
  });
  after(async () => {
    await redis.stop();
  });

  test('producer and worker connections follow the master when Sentinel promotes the replica', async (t) => {
    const env = parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'shh', AUDIT_HMAC_KEY: TEST_AUDIT_KEY, REDIS_SENTINELS: redis.sentinels });
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
    try {
      await queue.add('before', {});
      await waitFor(() => done.includes('before'), 5_000);

      const killedAt = Date.now();
      await redis.killMaster();
      // The producer fails fast while there is no master (Slack's 3 s), rather than queueing in memory.
      await assert.rejects(queue.add('during', {}));
      await redis.promoted();
      const promotedAt = Date.now();
      // Adding is retried the way the bot's sweep does it: the producer refuses until it has reconnected.
      await waitFor(async () => queue.add('after', {}).then(() => true, () => false), 15_000);
      await waitFor(() => done.includes('after'), 15_000);
      const firstJobAt = Date.now();
      t.diagnostic(`killed master → Sentinel promoted the replica: ${promotedAt - killedAt} ms; → first job done on the new master: ${firstJobAt - killedAt} ms`);

      const newMaster = new Redis(redis.replicaUrl);
      try {
        assert.equal((await newMaster.role())[0], 'master');
        assert.ok((await newMaster.keys(`${prefix}:failover:*`)).length > 0, 'the queue lives on the promoted replica now');
      } finally {
        newMaster.disconnect();
      }
    } finally {
      await worker.close(true);
      await queue.close();
      producer.disconnect();
      workerConnection.disconnect();
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
