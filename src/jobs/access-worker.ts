import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../domain/clock.js';
import type { NotDue } from '../domain/due.js';
import type { BreakGlassService } from '../services/break-glass.js';
import type { DecisionService } from '../services/decisions.js';
import type { ExceptionLifecycle } from '../services/exception-lifecycle.js';
import type { Escalation } from '../services/escalation.js';
import type { GrantLifecycle } from '../services/grant-lifecycle.js';
import type { Log } from '../services/ports.js';
import { ACCESS_QUEUE, type AccessJobData, type AccessJobName } from './access-queue.js';
import { untilDue } from './until-due.js';

type AccessJob = Job<AccessJobData, void, AccessJobName>;

/** Runs the access queue's jobs. A thrown error is a failed attempt: BullMQ backs off and retries. */
export function createAccessWorker(deps: {
  connection: Redis;
  prefix: string;
  concurrency: number;
  grants: GrantLifecycle;
  exceptions: ExceptionLifecycle;
  escalation: Pick<Escalation, 'escalate'>;
  decisions: Pick<DecisionService, 'lapse'>;
  breakGlass: Pick<BreakGlassService, 'remind'>;
  clock: Clock;
  log: Log;
}) {
  /** The step each kind of job takes; every timed one answers `not_due` until its moment. */
  const steps: Record<AccessJobName, (id: string, finalAttempt: boolean) => Promise<{ kind: string } | NotDue>> = {
    provision: (id, finalAttempt) => deps.grants.provision(id, { finalAttempt }),
    warn: (id) => deps.grants.warn(id),
    extend: async (id) => {
      await deps.grants.extend(id);
      return { kind: 'done' };
    },
    revoke: (id, finalAttempt) => deps.grants.revoke(id, { finalAttempt }),
    'remind-break-glass': (id) => deps.breakGlass.remind(id),
    'warn-exception': (id) => deps.exceptions.remind(id),
    'close-exception': (id) => deps.exceptions.close(id, 'expired', 'jitbot'),
    escalate: (id) => deps.escalation.escalate(id),
    lapse: (id) => deps.decisions.lapse(id),
  };

  const process = async (job: AccessJob, token?: string): Promise<void> => {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await untilDue(job, token, deps.clock, () => steps[job.name](job.data.id, finalAttempt));
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
