import { Queue, type JobsOptions, type MinimalJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RequestTimers } from '../domain/approval-chain.js';
import type { Clock } from '../domain/clock.js';
import { reminderAt } from '../domain/reminder.js';
import type { ExceptionWindow, Scheduler } from '../services/ports.js';
import type { TimerStore } from '../services/reconcile.js';
import type { ExceptionTimer } from '../store/store.js';
import type { GrantTimer } from '../store/store.js';
import { ProvisionerError } from '../provisioners/provisioner.js';

export const ACCESS_QUEUE = 'access';
/**
 * provision/warn/extend/revoke/remind-break-glass act on a grant; warn-exception/close-exception
 * on an opt-out exception; escalate/lapse on a request.
 */
export type AccessJobName = 'provision' | 'warn' | 'extend' | 'revoke' | 'remind-break-glass' | 'warn-exception' | 'close-exception' | 'escalate' | 'lapse';
export interface AccessJobData {
  /** The grant, exception or request the job acts on. */
  id: string;
}

export interface RetrySettings {
  /** Attempts per job before the failure is recorded (revoke_failed, provisioning failed). */
  attempts: number;
  /** First backoff delay; doubles on each attempt. */
  backoffMs: number;
}

/** How jobs retry unless told otherwise: six attempts, backing off from 2 s and doubling (about a minute in all). */
export const DEFAULT_RETRY: RetrySettings = { attempts: 6, backoffMs: 2_000 };

/** The name of the backoff below, as jobs carry it (the worker supplies the strategy). */
export const RETRY_BACKOFF = 'jitbot';
/** An error retrying cannot fix (a login that does not exist) waits this many times longer between attempts. */
export const PERMANENT_BACKOFF_FACTOR = 8;

/**
 * The wait before the next attempt: the job's backoff delay, doubling each attempt; an error its
 * provisioner marks permanent waits PERMANENT_BACKOFF_FACTOR times longer (someone has to fix it first).
 */
export function retryBackoff(attemptsMade: number, _type?: string, error?: Error, job?: MinimalJob): number {
  const backoff = job?.opts.backoff;
  const delay = typeof backoff === 'number' ? backoff : (backoff?.delay ?? DEFAULT_RETRY.backoffMs);
  const doubled = Math.round(2 ** Math.max(0, attemptsMade - 1) * delay);
  return error instanceof ProvisionerError && error.permanent ? doubled * PERMANENT_BACKOFF_FACTOR : doubled;
}

/**
 * Timed jobs are due this long before their moment; the worker then waits the rest in
 * process, to the millisecond. BullMQ promotes delayed jobs in steps of up to a few hundred
 * ms under load (and of Redis's `hz` tick when idle), and in a burst of expiries it now and
 * then hands them over up to 2 s late while neither event loop is busy (bench/RESULTS.md):
 * the lead absorbs both.
 */
export const TIMER_LEAD_MS = 2_500;

// BullMQ job IDs may not contain ':' nor be all digits; IDs are `grt-…`, `exc-…` and `req-…`.
export const jobIdFor = (name: AccessJobName, id: string) => `${name}-${id}`;

/**
 * The producer side of the timers: one queue, a few kinds of job per grant or exception,
 * with deterministic IDs so adding twice is harmless. Implements the services' Scheduler.
 */
export function createAccessQueue(deps: {
  connection: Redis;
  prefix: string;
  retry: RetrySettings;
  clock: Clock;
  /** How long before an exception closes its holder is reminded (`expiry_warning`). */
  reminderLeadMs: () => number;
}) {
  const { connection, prefix, clock } = deps;
  const queue = new Queue<AccessJobData, void, AccessJobName>(ACCESS_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: deps.retry.attempts,
      backoff: { type: RETRY_BACKOFF, delay: deps.retry.backoffMs },
      // Finished jobs leave no trace in Redis: SQLite keeps the history, and a later
      // add() with the same ID (a retry after revoke_failed) starts afresh.
      removeOnComplete: true,
      removeOnFail: true,
    },
  });
  // BullMQ re-emits its connection's errors here, and prints them to stderr when nobody listens;
  // whoever made the connection logs them already (jitbot.ts), so they are not logged twice.
  queue.on('error', () => undefined);
  // Under the queue's own prefix: with a hash-tagged prefix (queuePrefix) it shares the queue's Cluster slot.
  const markerKey = `${prefix}:${ACCESS_QUEUE}:timers-intact`;

  /** `idSuffix` tells apart jobs of one kind on one thing that may each run (the n-th extension). */
  const job = (name: AccessJobName, id: string, at?: number, idSuffix = ''): { name: AccessJobName; data: AccessJobData; opts: JobsOptions } => ({
    name,
    data: { id },
    opts: { jobId: `${jobIdFor(name, id)}${idSuffix}`, delay: at === undefined ? 0 : Math.max(0, at - TIMER_LEAD_MS - clock.now().toMillis()) },
  });

  /** The warning `expiry_warning` before the end, unless given already or there is no time for it. */
  const warnJob = (g: Pick<GrantTimer, 'id' | 'expiresAt' | 'warned'>) => {
    const at = g.warned ? undefined : reminderAt({ opensAt: clock.now().toMillis(), endsAt: g.expiresAt }, deps.reminderLeadMs());
    return at === undefined ? [] : [job('warn', g.id, at)];
  };
  const grantJobs = (g: GrantTimer) => [...(g.provisioned ? [] : [job('provision', g.id, g.grantedAt)]), ...warnJob(g), job('revoke', g.id, g.expiresAt)];

  function exceptionJobs(e: ExceptionWindow & { warned: boolean }) {
    const remindAt = e.warned ? undefined : reminderAt(e, deps.reminderLeadMs());
    return [...(remindAt === undefined ? [] : [job('warn-exception', e.id, remindAt)]), job('close-exception', e.id, e.endsAt)];
  }

  const requestJobs = (r: RequestTimers) => [job('lapse', r.id, r.lapseAt), ...(r.escalateAt === undefined ? [] : [job('escalate', r.id, r.escalateAt)])];

  async function revokeSoon(grantId: string): Promise<void> {
    const existing = await queue.getJob(jobIdFor('revoke', grantId));
    if (!existing) {
      const { data, opts } = job('revoke', grantId);
      await queue.add('revoke', data, opts);
      return;
    }
    // Waiting or running already; or delayed by its own retry backoff, which we respect.
    if ((await existing.getState()) !== 'delayed' || existing.attemptsMade > 0) return;
    await existing.promote().catch(async (error: unknown) => {
      // It left the delayed set between the two calls: it is running, which is what we want.
      if ((await existing.getState()) === 'delayed') throw error;
    });
  }

  const scheduler: Scheduler = {
    async scheduleGrant(grant) {
      await queue.addBulk(grantJobs({ id: grant.id, grantedAt: grant.grantedAt, expiresAt: grant.expiresAt, provisioned: false, warned: false }));
    },
    async scheduleExtension(grant) {
      // The revoke job already waiting notices the later end and waits again (see the worker).
      // One job per extension: the n-th extension's ID differs from the (finished) earlier ones.
      await queue.addBulk([job('extend', grant.id, undefined, `-${grant.extensions}`), ...warnJob({ id: grant.id, expiresAt: grant.expiresAt, warned: false })]);
    },
    revokeNow: revokeSoon,
    async scheduleException(exception) {
      await queue.addBulk(exceptionJobs({ ...exception, warned: false }));
    },
    async scheduleRequest(timers) {
      await queue.addBulk(requestJobs(timers));
    },
    async scheduleBreakGlassReminder(grantId, at) {
      const { data, opts } = job('remind-break-glass', grantId, at);
      await queue.add('remind-break-glass', data, opts);
    },
    async cancelEscalation(requestId) {
      // A job already running or gone cannot be removed; escalate() finds the decision then.
      await queue.remove(jobIdFor('escalate', requestId)).catch(() => 0);
    },
  };

  const timers: TimerStore = {
    isIntact: async () => (await connection.exists(markerKey)) === 1,
    markIntact: async () => {
      await connection.set(markerKey, String(clock.now().toMillis()));
    },
    async restoreGrants(grants: readonly GrantTimer[]) {
      await queue.addBulk(grants.flatMap(grantJobs));
    },
    async restoreExceptions(exceptions: readonly ExceptionTimer[]) {
      await queue.addBulk(exceptions.flatMap(exceptionJobs));
    },
    async restoreRequests(requests: readonly RequestTimers[]) {
      await queue.addBulk(requests.flatMap(requestJobs));
    },
    async restoreBreakGlassReminders(reminders: readonly { grantId: string; at: number }[]) {
      await queue.addBulk(reminders.map((r) => job('remind-break-glass', r.grantId, r.at)));
    },
  };

  return { queue, scheduler, timers, close: () => queue.close() };
}

export type AccessQueue = ReturnType<typeof createAccessQueue>;
