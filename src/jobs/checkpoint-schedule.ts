import type { Redis } from 'ioredis';
import type { Clock } from '../domain/clock.js';
import type { Log } from '../services/ports.js';
import { startJobScheduler } from './job-scheduler.js';

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
  clock: Clock;
  log: Log;
}) {
  const scheduler = startJobScheduler<Record<string, never>>({ ...deps, queueName: 'audit-checkpoints', schedulerId: 'audit-checkpoint', what: 'audit checkpoint', run: () => deps.post() });

  /** Makes the scheduler in Redis match the policy (at start-up and after a policy reload). */
  async function sync(securityChannel: string | undefined, timezone: string): Promise<void> {
    if (securityChannel === undefined) await scheduler.remove();
    else await scheduler.upsert(DAILY, timezone, {});
  }

  return { queue: scheduler.queue, sync, close: scheduler.close };
}
