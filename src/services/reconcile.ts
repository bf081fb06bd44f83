import type { Clock } from '../domain/clock.js';
import type { GrantTimer } from '../store/grants.js';
import type { RequestRow } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { Log, Scheduler } from './ports.js';

/** Redis-side bookkeeping the sweep needs: whether the timers survived, and re-creating them. */
export interface TimerStore {
  /** False when Redis lost its data (restart without persistence, FLUSHALL) since markIntact. */
  isIntact(): Promise<boolean>;
  markIntact(): Promise<void>;
  restore(timers: readonly GrantTimer[]): Promise<void>;
}

export interface SweepReport {
  restoredTimers: number;
  dueRevocations: number;
  reposted: number;
}

const PAGE = 1_000;
/** Timers normally fire within ~100 ms; only grants later than this are the sweep's business. */
const OVERDUE_GRACE_MS = 1_000;
/** A first post may still be waiting out Slack's Retry-After; re-post only after this long. */
const REPOST_AFTER_MS = 2 * 60_000;

/**
 * SQLite is the truth and Redis only holds timers: this sweep makes the timers match the
 * truth. Run at start-up, every reconcile_interval, and whenever Redis reconnects.
 */
export function createReconciler(deps: {
  store: Pick<Store, 'activeGrantTimers' | 'grantsDueForRevocation' | 'pendingWithoutApprovalMessage'>;
  scheduler: Pick<Scheduler, 'revokeNow'>;
  timers: TimerStore;
  repost: (request: RequestRow) => Promise<boolean>;
  clock: Clock;
  log: Log;
}) {
  const { store, clock, log } = deps;

  async function restoreAllTimers(): Promise<number> {
    let count = 0;
    let cursor = { expiresAt: -1, id: '' };
    for (;;) {
      const page = store.activeGrantTimers(cursor.expiresAt, cursor.id, PAGE);
      if (page.length === 0) break;
      await deps.timers.restore(page);
      count += page.length;
      const last = page[page.length - 1];
      if (!last) break;
      cursor = { expiresAt: last.expiresAt, id: last.id };
    }
    return count;
  }

  return {
    restoreAllTimers,

    async sweep(): Promise<SweepReport> {
      let restoredTimers = 0;
      if (!(await deps.timers.isIntact())) {
        restoredTimers = await restoreAllTimers();
        await deps.timers.markIntact();
        log.warn({ restoredTimers }, 'Redis had lost its timers; re-created them from SQLite');
      }
      const now = clock.now().toMillis();
      const due = store.grantsDueForRevocation(now - OVERDUE_GRACE_MS, PAGE);
      for (const grant of due) await deps.scheduler.revokeNow(grant.id);
      let reposted = 0;
      for (const request of store.pendingWithoutApprovalMessage(now - REPOST_AFTER_MS, 100)) {
        if (await deps.repost(request)) reposted += 1;
      }
      if (due.length > 0 || reposted > 0) log.info({ dueRevocations: due.length, reposted }, 'sweep caught up');
      return { restoredTimers, dueRevocations: due.length, reposted };
    },
  };
}

export type Reconciler = ReturnType<typeof createReconciler>;
