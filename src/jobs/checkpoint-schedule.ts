import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Log } from '../services/ports.js';

const CHECKPOINT_QUEUE = 'audit-checkpoints';
export const CHECKPOINT_SCHEDULER_ID = 'audit-checkpoint';
/** Midnight in the policy's time zone. */
const DAILY = '0 0 * * *';

/**
 * The daily audit checkpoint in `security_channel`, as a BullMQ job scheduler (one in Redis
 * however many worker processes upsert it). Off when there is no security channel to post in.
 */
export function startCheckpointSchedule(deps: {
  producer: Redis;
  workerConnection: Redis;
  prefix: string;
  post: () => Promise<void>;
  log: Log;
}) {
  const queue = new Queue(CHECKPOINT_QUEUE, { connection: deps.producer, prefix: deps.prefix });
  const worker = new Worker(CHECKPOINT_QUEUE, () => deps.post(), { connection: deps.workerConnection, prefix: deps.prefix, concurrency: 1 });
  worker.on('error', (error) => deps.log.error({ err: error }, 'audit checkpoint worker error'));
  worker.on('failed', (job, error) => deps.log.warn({ err: error, jobId: job?.id }, 'daily audit checkpoint failed'));

  /** Makes the scheduler in Redis match the policy (at start-up and after a policy reload). */
  async function sync(securityChannel: string | undefined, timezone: string): Promise<void> {
    if (securityChannel === undefined) {
      await queue.removeJobScheduler(CHECKPOINT_SCHEDULER_ID);
      return;
    }
    await queue.upsertJobScheduler(
      CHECKPOINT_SCHEDULER_ID,
      { pattern: DAILY, tz: timezone },
      { name: 'checkpoint', opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: true, removeOnFail: 50 } },
    );
  }

  return {
    queue,
    sync,
    async close(): Promise<void> {
      await worker.close();
      await queue.close();
    },
  };
}
