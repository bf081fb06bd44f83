import type { Clock } from '../domain/clock.js';
import { notDueYet, type NotDue } from '../domain/due.js';
import { reminderAt } from '../domain/reminder.js';
import type { ExceptionCloseReason } from '../domain/states.js';
import type { ExceptionRecord } from '../domain/records.js';
import type { Store } from '../store/store.js';
import type { Log, Notifier, Scheduler } from './ports.js';
import type { MessageLane } from './message-lane.js';
import { queueOrLeaveToSweep } from './queue-or-sweep.js';

export type TimerOutcome = { kind: 'done'; exception: ExceptionRecord } | { kind: 'skipped' } | NotDue;

export interface ExceptionLifecycleDeps {
  store: Pick<Store, 'findException' | 'closeException' | 'markExceptionWarned'>;
  scheduler: Pick<Scheduler, 'revokeNow'>;
  notifier: Pick<Notifier, 'exceptionClosed' | 'exceptionClosingSoon'>;
  messages: Pick<MessageLane, 'send'>;
  /** `expiry_warning`: how long before it closes the holder is reminded. */
  reminderLeadMs: () => number;
  clock: Clock;
  log: Log;
}

/**
 * The work behind an exception's timers, and its early end: closing (once, whoever gets
 * there first) with its standing access revoked, and the reminder before it closes.
 */
export function createExceptionLifecycle(deps: ExceptionLifecycleDeps) {
  const { store, clock, log } = deps;

  return {
    async close(id: string, reason: ExceptionCloseReason, by: string): Promise<TimerOutcome> {
      const exception = await store.findException(id);
      if (!exception || exception.status !== 'open' || exception.endsAt === null) return { kind: 'skipped' };
      const now = clock.now().toMillis();
      if (reason === 'expired' && exception.endsAt > now) return { kind: 'not_due', dueAt: exception.endsAt };
      const closed = await store.closeException(id, reason, by, now);
      if (!closed) return { kind: 'skipped' };
      log.info({ exceptionId: id, reason, latenessMs: reason === 'expired' ? now - exception.endsAt : undefined }, 'exception closed');
      for (const grant of closed.endedGrants) {
        await queueOrLeaveToSweep(log, { grantId: grant.id }, () => deps.scheduler.revokeNow(grant.id));
      }
      deps.messages.send(() => deps.notifier.exceptionClosed(closed.exception));
      return { kind: 'done', exception: closed.exception };
    },

    /** Reminds the holder once, `expiry_warning` before it closes, while it is still open. */
    async remind(id: string): Promise<TimerOutcome> {
      const exception = await store.findException(id);
      const now = clock.now().toMillis();
      if (!exception || exception.status !== 'open' || exception.warnedAt !== null || exception.opensAt === null || exception.endsAt === null || exception.endsAt <= now) return { kind: 'skipped' };
      const at = reminderAt({ opensAt: exception.opensAt, endsAt: exception.endsAt }, deps.reminderLeadMs());
      if (at === undefined) return { kind: 'skipped' };
      const notDue = notDueYet(at, now);
      if (notDue) return notDue;
      const warned = await store.markExceptionWarned(id, now);
      if (!warned) return { kind: 'skipped' };
      deps.messages.send(() => deps.notifier.exceptionClosingSoon(warned));
      return { kind: 'done', exception: warned };
    },
  };
}

export type ExceptionLifecycle = ReturnType<typeof createExceptionLifecycle>;
