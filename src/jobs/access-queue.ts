import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Clock } from '../domain/clock.js';
import type { Scheduler } from '../services/ports.js';
import type { TimerStore } from '../services/reconcile.js';
import type { GrantTimer } from '../store/grants.js';

export const ACCESS_QUEUE = 'access';
export type AccessJobName = 'provision' | 'revoke';
export interface AccessJobData {
  grantId: string;
}

export interface RetrySettings {
  /** Attempts per job before the failure is recorded (revoke_failed, provisioning failed). */
  attempts: number;
  /** First backoff delay; doubles on each attempt. */
  backoffMs: number;
}

// BullMQ job IDs may not contain ':' nor be all digits; grant IDs are `grt-…`.
export const jobIdFor = (name: AccessJobName, grantId: string) => `${name}-${grantId}`;

/**
 * The producer side of the timers: one queue, two kinds of job per grant, with
 * deterministic IDs so adding twice is harmless. Implements the services' Scheduler.
 */
export function createAccessQueue(deps: { connection: Redis; prefix: string; retry: RetrySettings; clock: Clock }) {
  const { connection, prefix, clock } = deps;
  const queue = new Queue<AccessJobData, void, AccessJobName>(ACCESS_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: deps.retry.attempts,
      backoff: { type: 'exponential', delay: deps.retry.backoffMs },
      // Finished jobs leave no trace in Redis: SQLite keeps the history, and a later
      // add() with the same ID (a retry after revoke_failed) starts afresh.
      removeOnComplete: true,
      removeOnFail: true,
    },
  });
  const markerKey = `${prefix}:${ACCESS_QUEUE}:timers-intact`;

  const job = (name: AccessJobName, grantId: string, delay = 0): { name: AccessJobName; data: AccessJobData; opts: JobsOptions } => ({
    name,
    data: { grantId },
    opts: { jobId: jobIdFor(name, grantId), delay: Math.max(0, delay) },
  });

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
      const now = clock.now().toMillis();
      await queue.addBulk([job('provision', grant.id), job('revoke', grant.id, grant.expiresAt - now)]);
    },
    revokeNow: revokeSoon,
  };

  const timers: TimerStore = {
    isIntact: async () => (await connection.exists(markerKey)) === 1,
    markIntact: async () => {
      await connection.set(markerKey, String(clock.now().toMillis()));
    },
    async restore(grants: readonly GrantTimer[]) {
      const now = clock.now().toMillis();
      await queue.addBulk(
        grants.flatMap((g) => [
          ...(g.provisioned ? [] : [job('provision', g.id)]),
          job('revoke', g.id, g.expiresAt - now),
        ]),
      );
    },
  };

  return { queue, scheduler, timers, close: () => queue.close() };
}

export type AccessQueue = ReturnType<typeof createAccessQueue>;
