import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ExceptionLifecycle } from '../services/exception-lifecycle.js';
import type { GrantLifecycle } from '../services/grant-lifecycle.js';
import type { Log } from '../services/ports.js';
import { ACCESS_QUEUE, type AccessJobData, type AccessJobName } from './access-queue.js';

type AccessJob = Job<AccessJobData, void, AccessJobName>;

/** Runs the access queue's jobs. A thrown error is a failed attempt: BullMQ backs off and retries. */
export function createAccessWorker(deps: {
  connection: Redis;
  prefix: string;
  concurrency: number;
  grants: GrantLifecycle;
  exceptions: ExceptionLifecycle;
  log: Log;
}) {
  /** Fired early (the end moved later, or clocks disagree): wait until it is really due. */
  async function waitUntil(job: AccessJob, dueAt: number, token: string | undefined): Promise<never> {
    await job.moveToDelayed(dueAt, token);
    throw new DelayedError();
  }

  const process = async (job: AccessJob, token?: string): Promise<void> => {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const { id } = job.data;
    switch (job.name) {
      case 'provision':
        await deps.grants.provision(id, { finalAttempt });
        return;
      case 'revoke': {
        const outcome = await deps.grants.revoke(id, { finalAttempt });
        if (outcome.kind === 'not_due') await waitUntil(job, outcome.dueAt, token);
        return;
      }
      case 'close-exception': {
        const outcome = await deps.exceptions.close(id, 'expired', 'jitbot');
        if (outcome.kind === 'not_due') await waitUntil(job, outcome.dueAt, token);
        return;
      }
      case 'warn-exception':
        await deps.exceptions.remind(id);
        return;
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
