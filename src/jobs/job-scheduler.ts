import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../domain/clock.js';
import { notDueYet } from '../domain/due.js';
import type { Log } from '../services/ports.js';
import { untilDue } from './until-due.js';

/** A failed run is tried twice more (1 then 2 minutes later); finished runs are not kept in Redis. */
const RUN_OPTIONS = { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: true, removeOnFail: 50 } as const;

/**
 * One recurring job as a BullMQ job scheduler, with its own queue and worker: Redis keeps one
 * scheduler however many worker processes upsert it, so each run happens once.
 */
export function startJobScheduler<Data>(deps: {
  queueName: string;
  schedulerId: string;
  /** What a run is, in log lines (`security review`, `audit checkpoint`). */
  what: string;
  producer: Redis;
  workerConnection: Redis;
  prefix: string;
  run: (data: Data) => Promise<unknown>;
  clock: Clock;
  log: Log;
}) {
  const queue = new Queue<Data, unknown, string, Data, unknown, string>(deps.queueName, { connection: deps.producer, prefix: deps.prefix });
  // Its connection's errors, re-emitted by BullMQ (printed to stderr unless listened to); the producer's owner logs them.
  queue.on('error', () => undefined);
  /** A run is due at its slot (the scheduler's `prevMillis`), never before, however early it is handed over. */
  const runAtSlot = (job: Job<Data>, token?: string) =>
    untilDue(job, token, deps.clock, async () => {
      const notDue = notDueYet(job.opts.prevMillis ?? 0, deps.clock.now().toMillis());
      if (notDue) return notDue;
      await deps.run(job.data);
      return { kind: 'done' };
    });
  const worker = new Worker<Data>(deps.queueName, runAtSlot, {
    connection: deps.workerConnection,
    prefix: deps.prefix,
    concurrency: 1,
  });
  worker.on('error', (error) => deps.log.error({ err: error }, `${deps.what} worker error`));
  worker.on('failed', (job, error) => deps.log.warn({ err: error, jobId: job?.id }, `scheduled ${deps.what} failed`));

  return {
    queue,
    /** Runs at each time of the cron `pattern` in `timezone`, with `data`. */
    async upsert(pattern: string, timezone: string, data: Data): Promise<void> {
      await queue.upsertJobScheduler(deps.schedulerId, { pattern, tz: timezone }, { name: deps.schedulerId, data, opts: RUN_OPTIONS });
    },
    async remove(): Promise<void> {
      await queue.removeJobScheduler(deps.schedulerId);
    },
    async close(): Promise<void> {
      await worker.close();
      await queue.close();
    },
  };
}
