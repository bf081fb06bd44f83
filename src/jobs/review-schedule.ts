import type { Redis } from 'ioredis';
import type { Clock } from '../domain/clock.js';
import type { Log } from '../services/ports.js';
import { startJobScheduler } from './job-scheduler.js';

export type ReviewSchedule = 'off' | 'daily' | 'weekly';
type Scheduled = Exclude<ReviewSchedule, 'off'>;

/** 09:00 in the policy's time zone: every day, or on Mondays; each run looks back one period. */
const PATTERNS: Record<Scheduled, { pattern: string; days: number }> = {
  daily: { pattern: '0 9 * * *', days: 1 },
  weekly: { pattern: '0 9 * * 1', days: 7 },
};

interface ReviewJobData {
  days: number;
}

/**
 * `settings.review_schedule` as a BullMQ job scheduler: Redis keeps one scheduler however many
 * worker processes upsert it, so each review runs once; the run itself is stored in SQLite.
 */
export function startReviewSchedule(deps: {
  producer: Redis;
  workerConnection: Redis;
  prefix: string;
  run: (days: number) => Promise<unknown>;
  clock: Clock;
  log: Log;
}) {
  const scheduler = startJobScheduler<ReviewJobData>({ ...deps, queueName: 'reviews', schedulerId: 'security-review', what: 'security review', run: (data) => deps.run(data.days) });

  /** Makes the scheduler in Redis match the policy (at start-up and after a policy reload). */
  async function sync(schedule: ReviewSchedule, timezone: string): Promise<void> {
    if (schedule === 'off') {
      await scheduler.remove();
      return;
    }
    const { pattern, days } = PATTERNS[schedule];
    await scheduler.upsert(pattern, timezone, { days });
    deps.log.info({ schedule, pattern, timezone }, 'security review scheduled');
  }

  return { queue: scheduler.queue, sync, close: scheduler.close };
}
