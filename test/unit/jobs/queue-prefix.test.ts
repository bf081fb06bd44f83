import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, Worker } from 'bullmq';
import { Cluster } from 'ioredis';
import { ACCESS_QUEUE } from '../../../src/jobs/access-queue.js';
import { queuePrefix } from '../../../src/jobs/queue-prefix.js';
import { startOneNodeCluster } from '../../support/redis-cluster.js';
import { uniquePrefix } from '../../support/redis-prefix.js';

test('the BullMQ prefix is REDIS_PREFIX as a Redis Cluster hash tag', () => {
  assert.equal(queuePrefix('jitbot'), '{jitbot}');
  assert.equal(queuePrefix('team-a_prod'), '{team-a_prod}');
});

describe('BullMQ on a Redis Cluster (a real one-node cluster)', { timeout: 60_000 }, () => {
  let cluster: Awaited<ReturnType<typeof startOneNodeCluster>>;
  let connection: Cluster;
  before(async () => {
    cluster = await startOneNodeCluster();
    connection = new Cluster(cluster.nodes, { redisOptions: { maxRetriesPerRequest: null } });
  });
  after(async () => {
    connection.disconnect();
    await cluster.stop();
  });

  test('with the hash-tagged prefix, delayed jobs are added and run, and the timers marker shares their slot', async () => {
    const prefix = queuePrefix(uniquePrefix());
    const queue = new Queue(ACCESS_QUEUE, { connection, prefix });
    const done: string[] = [];
    const worker = new Worker(ACCESS_QUEUE, async (job) => void done.push(job.id ?? ''), { connection, prefix });
    try {
      await queue.add('revoke', { id: 'grt-1' }, { jobId: 'revoke-grt-1', delay: 200 });
      await queue.add('warn', { id: 'grt-1' }, { jobId: 'warn-grt-1' });
      for (let i = 0; done.length < 2; i += 1) {
        assert.ok(i < 100, `jobs done: ${done.join(', ')}`);
        await sleep(50);
      }
      const slotOf = async (key: string) => Number(await connection.call('CLUSTER', 'KEYSLOT', key));
      assert.equal(await slotOf(`${prefix}:${ACCESS_QUEUE}:timers-intact`), await slotOf(`${prefix}:${ACCESS_QUEUE}:delayed`));
      assert.equal(await slotOf(`${prefix}:review:meta`), await slotOf(`${prefix}:${ACCESS_QUEUE}:meta`), 'every queue of the bot in one slot');
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  test('without it, BullMQ fails on the Cluster (CROSSSLOT): the braces are what makes it work', async () => {
    const queue = new Queue(ACCESS_QUEUE, { connection, prefix: uniquePrefix() });
    try {
      await assert.rejects(queue.add('revoke', { id: 'grt-1' }, { jobId: 'revoke-grt-1', delay: 200 }), /CROSSSLOT/);
    } finally {
      await queue.close();
    }
  });
});
