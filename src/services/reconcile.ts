import type { RequestTimers } from '../domain/approval-chain.js';
import { BREAK_GLASS_REMINDER_MS, breakGlassReminderAt } from '../domain/break-glass-rules.js';
import type { Clock } from '../domain/clock.js';
import type { StepOutcome } from '../domain/due.js';
import type { ExceptionTimer } from '../store/store.js';
import type { GrantTimer } from '../store/store.js';
import type { ExceptionRecord, RequestRecord } from '../domain/records.js';
import type { Store } from '../store/store.js';
import type { Log, Scheduler } from './ports.js';

/** Redis-side bookkeeping the sweep needs: whether the timers survived, and re-creating them. */
export interface TimerStore {
  /** False when Redis lost its data (restart without persistence, FLUSHALL) since markIntact. */
  isIntact(): Promise<boolean>;
  markIntact(): Promise<void>;
  restoreGrants(timers: readonly GrantTimer[]): Promise<void>;
  restoreExceptions(timers: readonly ExceptionTimer[]): Promise<void>;
  restoreRequests(timers: readonly RequestTimers[]): Promise<void>;
  restoreBreakGlassReminders(timers: readonly { grantId: string; at: number }[]): Promise<void>;
}

export interface SweepReport {
  restoredTimers: number;
  dueRevocations: number;
  dueExceptionClosings: number;
  requeuedGrants: number;
  reposted: number;
  breakGlassReminders: number;
  lapsed: number;
  escalated: number;
}

const PAGE = 1_000;
/** Timers normally fire within ~100 ms; only later ones are the sweep's business. */
const OVERDUE_GRACE_MS = 1_000;
/** A provisioning job normally runs within seconds; one still not run after this was never queued. */
const REQUEUE_AFTER_MS = 60_000;
/** A first post may still be waiting out Slack's Retry-After; re-post only after this long. */
const REPOST_AFTER_MS = 2 * 60_000;

/** Reads timers page by page, ordered by (time, id), handing each page to `restore`. */
async function restorePaged<T extends { id: string }>(
  read: (afterAt: number, afterId: string, limit: number) => Promise<T[]>,
  at: (timer: T) => number,
  restore: (page: readonly T[]) => Promise<void>,
): Promise<number> {
  let count = 0;
  let cursor = { at: -1, id: '' };
  for (;;) {
    const page = await read(cursor.at, cursor.id, PAGE);
    const last = page[page.length - 1];
    if (!last) return count;
    await restore(page);
    count += page.length;
    cursor = { at: at(last), id: last.id };
  }
}

/**
 * SQLite is the truth and Redis only holds timers: this sweep makes the timers match the
 * truth. Run at start-up, every reconcile_interval, and whenever Redis reconnects.
 */
export function createReconciler(deps: {
  store: Pick<
    Store,
    | 'activeGrantTimers'
    | 'pendingRequestTimers'
    | 'breakGlassAwaitingReminder'
    | 'grantsDueForRevocation'
    | 'grantsNeverQueued'
    | 'pendingWithoutApprovalMessage'
    | 'openExceptionTimers'
    | 'exceptionsDueToClose'
    | 'pendingExceptionsWithoutApprovalMessage'
    | 'breakGlassDueForReminder'
    | 'pendingCreatedBefore'
    | 'dueForEscalation'
  >;
  scheduler: Pick<Scheduler, 'revokeNow' | 'scheduleGrant'>;
  timers: TimerStore;
  /** A pending request's lapse and escalation, by the rules it was made under. */
  requestTimers: (request: RequestRecord) => Promise<RequestTimers>;
  /** Re-creates the job schedulers (`review_schedule`, the daily audit checkpoint): Redis lost them with the timers. */
  restoreJobSchedulers: () => Promise<void>;
  closeException: (id: string) => Promise<unknown>;
  repost: (request: RequestRecord) => Promise<boolean>;
  repostException: (exception: ExceptionRecord) => Promise<boolean>;
  /** Closes a request nobody decided within `pending_timeout` (a timed step: it checks it is due). */
  lapse: (requestId: string) => Promise<StepOutcome>;
  pendingTimeoutMs: () => number;
  /** Escalates a request nobody answered; skipped when it needs none (decided, already escalated). */
  escalate: (requestId: string) => Promise<StepOutcome>;
  /** Resources with `escalation`, and after how long. */
  escalations: () => readonly { resource: string; afterMs: number }[];
  /** Posts an unacknowledged break-glass use again and DMs the security team; skipped if already done. */
  remindBreakGlass: (grantId: string) => Promise<StepOutcome>;
  clock: Clock;
  log: Log;
}) {
  const { store, clock, log } = deps;

  async function restoreAllTimers(): Promise<number> {
    const grants = await restorePaged(store.activeGrantTimers, (g) => g.expiresAt, deps.timers.restoreGrants);
    const exceptions = await restorePaged(store.openExceptionTimers, (e) => e.endsAt, deps.timers.restoreExceptions);
    const requests = await restorePaged(store.pendingRequestTimers, (r) => r.createdAt, async (page) => deps.timers.restoreRequests(await Promise.all(page.map(deps.requestTimers))));
    const reminders = await restorePaged(store.breakGlassAwaitingReminder, (u) => u.createdAt, (page) =>
      deps.timers.restoreBreakGlassReminders(page.map((u) => ({ grantId: u.id, at: breakGlassReminderAt(u) }))),
    );
    await deps.restoreJobSchedulers();
    return grants + exceptions + requests + reminders;
  }

  /** Re-creates every timer if Redis lost them since the last check; how many it re-created. */
  async function checkTimers(): Promise<number> {
    if (await deps.timers.isIntact()) return 0;
    const restored = await restoreAllTimers();
    await deps.timers.markIntact();
    log.warn({ restoredTimers: restored }, 'Redis had lost its timers; re-created them from the database');
    return restored;
  }

  return {
    restoreAllTimers,
    checkTimers,

    async sweep(): Promise<SweepReport> {
      const restoredTimers = await checkTimers();
      const now = clock.now().toMillis();
      const closing = await store.exceptionsDueToClose(now - OVERDUE_GRACE_MS, PAGE);
      // Closed straight from SQLite: a closing needs no Redis, and its standing grants are then due below.
      for (const exception of closing) await deps.closeException(exception.id);
      const due = await store.grantsDueForRevocation(now - OVERDUE_GRACE_MS, PAGE);
      for (const grant of due) await deps.scheduler.revokeNow(grant.id);
      // Approved while Redis refused the job (Redis kept its other data, so no restore): queue it now.
      const unqueued = await store.grantsNeverQueued(now - REQUEUE_AFTER_MS, now, PAGE);
      for (const grant of unqueued) await deps.scheduler.scheduleGrant(grant);
      let reposted = 0;
      for (const request of await store.pendingWithoutApprovalMessage(now - REPOST_AFTER_MS, 100)) {
        if (await deps.repost(request)) reposted += 1;
      }
      for (const exception of await store.pendingExceptionsWithoutApprovalMessage(now - REPOST_AFTER_MS, 100)) {
        if (await deps.repostException(exception)) reposted += 1;
      }
      // Lapses, escalations and break-glass reminders whose timer Redis lost (the job is the
      // normal path). Each step checks it is due itself, so a sweep never acts early.
      const done = (outcome: StepOutcome) => (outcome.kind === 'done' ? 1 : 0);
      let lapsed = 0;
      for (const request of await store.pendingCreatedBefore(now - deps.pendingTimeoutMs() - OVERDUE_GRACE_MS, PAGE)) {
        lapsed += done(await deps.lapse(request.id));
      }
      let escalated = 0;
      for (const { resource, afterMs } of deps.escalations()) {
        for (const request of await store.dueForEscalation(resource, now - afterMs - OVERDUE_GRACE_MS, PAGE)) {
          escalated += done(await deps.escalate(request.id));
        }
      }
      let breakGlassReminders = 0;
      for (const use of await store.breakGlassDueForReminder(now - BREAK_GLASS_REMINDER_MS - OVERDUE_GRACE_MS, 100)) {
        breakGlassReminders += done(await deps.remindBreakGlass(use.grantId));
      }
      const report = { restoredTimers, dueRevocations: due.length, dueExceptionClosings: closing.length, requeuedGrants: unqueued.length, reposted, breakGlassReminders, lapsed, escalated };
      if (due.length > 0 || closing.length > 0 || unqueued.length > 0 || reposted > 0 || breakGlassReminders > 0 || lapsed > 0 || escalated > 0) log.info(report, 'sweep caught up');
      return report;
    },
  };
}

export type Reconciler = ReturnType<typeof createReconciler>;
