import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../domain/clock.js';
import { notDueYet } from '../domain/due.js';
import type { Log } from '../services/ports.js';
import { untilDue } from './until-due.js';

const REVIEW_QUEUE = 'reviews';
const REVIEW_SCHEDULER_ID = 'security-review';

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
  const queue = new Queue<ReviewJobData>(REVIEW_QUEUE, { connection: deps.producer, prefix: deps.prefix });
  /** A scheduled run is due at its slot (the scheduler's `prevMillis`), never before, however early it is handed over. */
  const runAtSlot = (job: Job<ReviewJobData>, token?: string) =>
    untilDue(job, token, deps.clock, async () => {
      const notDue = notDueYet(job.opts.prevMillis ?? 0, deps.clock.now().toMillis());
      if (notDue) return notDue;
      await deps.run(job.data.days);
      return { kind: 'done' };
    });
  const worker = new Worker<ReviewJobData>(REVIEW_QUEUE, runAtSlot, {
    connection: deps.workerConnection,
    prefix: deps.prefix,
    concurrency: 1,
  });
  worker.on('error', (error) => deps.log.error({ err: error }, 'review worker error'));
  worker.on('failed', (job, error) => deps.log.warn({ err: error, jobId: job?.id }, 'scheduled security review failed'));

  /** Makes the scheduler in Redis match the policy (at start-up and after a policy reload). */
  async function sync(schedule: ReviewSchedule, timezone: string): Promise<void> {
    if (schedule === 'off') {
      await queue.removeJobScheduler(REVIEW_SCHEDULER_ID);
      return;
    }
    const { pattern, days } = PATTERNS[schedule];
    await queue.upsertJobScheduler(
      REVIEW_SCHEDULER_ID,
      { pattern, tz: timezone },
      { name: 'review', data: { days }, opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: true, removeOnFail: 50 } },
    );
    deps.log.info({ schedule, pattern, timezone }, 'security review scheduled');
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
