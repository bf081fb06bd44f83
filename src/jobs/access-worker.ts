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
import { ProvisionerError } from '../provisioners/provisioner.js';
import { ACCESS_QUEUE, retryBackoff, type AccessJobData, type AccessJobName } from './access-queue.js';
import { untilDue } from './until-due.js';

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
