import type { Log } from './ports.js';

/**
 * Queues timers for a state change SQLite has already committed. If Redis refuses, the
 * change stands: the reconcile sweep finds what is due from SQLite and catches up.
 */
export async function queueOrLeaveToSweep(log: Log, context: object, queue: () => Promise<void>): Promise<void> {
  try {
    await queue();
  } catch (error) {
    log.error({ ...context, err: error }, 'could not queue timers in Redis; the reconcile sweep will catch up');
  }
}
