import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { GrantLifecycle } from '../services/grant-lifecycle.js';
import type { Log } from '../services/ports.js';
import { ACCESS_QUEUE, type AccessJobData, type AccessJobName } from './access-queue.js';

/** Runs provision and revoke jobs. A thrown error is a failed attempt: BullMQ backs off and retries. */
export function createAccessWorker(deps: {
  connection: Redis;
  prefix: string;
  concurrency: number;
  lifecycle: GrantLifecycle;
  log: Log;
}) {
  const process = async (job: Job<AccessJobData, void, AccessJobName>, token?: string): Promise<void> => {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const { grantId } = job.data;
    if (job.name === 'provision') {
      await deps.lifecycle.provision(grantId, { finalAttempt });
      return;
    }
    const outcome = await deps.lifecycle.revoke(grantId, { finalAttempt });
    if (outcome.kind === 'not_due') {
      // Fired early (its expiry moved later): wait until the grant is really due.
      await job.moveToDelayed(outcome.dueAt, token);
      throw new DelayedError();
    }
  };

  const worker = new Worker<AccessJobData, void, AccessJobName>(ACCESS_QUEUE, process, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency,
  });
  worker.on('error', (error) => deps.log.error({ err: error }, 'access worker error'));
  worker.on('failed', (job, error) => {
    deps.log.warn({ err: error, jobId: job?.id, attemptsMade: job?.attemptsMade }, 'access job attempt failed');
  });
  return worker;
}
