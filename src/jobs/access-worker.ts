import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../domain/clock.js';
import type { ExceptionLifecycle } from '../services/exception-lifecycle.js';
import type { Escalation } from '../services/escalation.js';
import type { GrantLifecycle } from '../services/grant-lifecycle.js';
import type { Log } from '../services/ports.js';
import { ProvisionerError } from '../provisioners/provisioner.js';
import { ACCESS_QUEUE, retryBackoff, TIMER_LEAD_MS, type AccessJobData, type AccessJobName } from './access-queue.js';

type AccessJob = Job<AccessJobData, void, AccessJobName>;

/** What a job acts on, named as every log line names it (`grantId`, `exceptionId`, `requestId`). */
function subjectOf(job: AccessJob): Record<string, string> {
  switch (job.name) {
    case 'warn-exception':
    case 'close-exception':
      return { exceptionId: job.data.id };
    case 'escalate':
      return { requestId: job.data.id };
    default:
      return { grantId: job.data.id };
  }
}

/** Runs the access queue's jobs. A thrown error is a failed attempt: BullMQ backs off and retries. */
export function createAccessWorker(deps: {
  connection: Redis;
  prefix: string;
  concurrency: number;
  grants: GrantLifecycle;
  exceptions: ExceptionLifecycle;
  escalation: Pick<Escalation, 'escalate'>;
  clock: Clock;
  log: Log;
}) {
  /**
   * Timed jobs arrive up to TIMER_LEAD_MS early: wait out the rest here and try again. A job
   * much earlier than that (its moment moved later) goes back to the delayed set instead.
   */
  async function untilDue(job: AccessJob, token: string | undefined, attempt: () => Promise<{ kind: string } | { kind: 'not_due'; dueAt: number }>): Promise<void> {
    for (;;) {
      const outcome = await attempt();
      if (!('dueAt' in outcome)) return;
      const wait = outcome.dueAt - deps.clock.now().toMillis();
      if (wait > 2 * TIMER_LEAD_MS) {
        await job.moveToDelayed(Date.now() + wait - TIMER_LEAD_MS, token);
        throw new DelayedError();
      }
      await sleep(Math.max(0, wait));
    }
  }

  const process = async (job: AccessJob, token?: string): Promise<void> => {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const { id } = job.data;
    switch (job.name) {
      case 'provision':
        await untilDue(job, token, () => deps.grants.provision(id, { finalAttempt }));
        return;
      case 'warn':
        await untilDue(job, token, () => deps.grants.warn(id));
        return;
      case 'extend':
        await deps.grants.extend(id);
        return;
      case 'revoke':
        await untilDue(job, token, () => deps.grants.revoke(id, { finalAttempt }));
        return;
      case 'close-exception':
        await untilDue(job, token, () => deps.exceptions.close(id, 'expired', 'jitbot'));
        return;
      case 'escalate':
        // Up to TIMER_LEAD_MS early, like every timed job: a few seconds early is fine for an escalation.
        await deps.escalation.escalate(id);
        return;
      case 'warn-exception':
        // Like every timed job it may arrive TIMER_LEAD_MS early; a reminder a few seconds early is fine.
        await deps.exceptions.remind(id);
        return;
    }
  };

  const worker = new Worker<AccessJobData, void, AccessJobName>(ACCESS_QUEUE, process, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency,
    settings: { backoffStrategy: retryBackoff },
  });
  worker.on('error', (error) => deps.log.error({ err: error }, 'access worker error'));
  // One line per failed attempt. A provisioner's refusal is expected: its words once, no stack;
  // anything else is a fault in jitbot and keeps its stack.
  worker.on('failed', (job, error) => {
    const attempt = { jobId: job?.id, ...(job ? subjectOf(job) : {}), attempt: job?.attemptsMade, of: job?.opts.attempts };
    if (error instanceof ProvisionerError) deps.log.warn({ ...attempt, permanent: error.permanent, error: error.message }, 'access job attempt failed');
    else deps.log.warn({ ...attempt, err: error }, 'access job attempt failed');
  });
  return worker;
}
