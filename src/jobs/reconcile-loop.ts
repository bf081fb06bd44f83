import type { Log } from '../services/ports.js';
import type { Reconciler } from '../services/reconcile.js';
import type { Lease } from './lease.js';

/** How often Redis is asked whether it still has our timers, whatever reconcile_interval is. */
const TIMER_CHECK_MS = 1_000;

/**
 * Runs the reconcile sweep every `intervalMs` and on demand (Redis reconnected), and in
 * between checks every second that Redis still holds the timers, so a FLUSHALL costs
 * about a second of lateness rather than a whole interval. A plain timer rather than a
 * BullMQ job on purpose: it must keep running when Redis lost its data. Runs never overlap;
 * a sweep asked for during a run happens right after it.
 *
 * Only the replica holding `lease` runs it, the per-second check included: that check is a
 * cheap read, but what it triggers (re-creating every timer) should not run on every replica
 * at once after Redis lost its data.
 */
export function startReconcileLoop(deps: { reconciler: Reconciler; intervalMs: number; lease: Pick<Lease, 'held'>; log: Log }) {
  let running: Promise<void> | undefined;
  let sweepWanted = false;
  let stopped = false;
  let lastSweep = 0;

  const runOnce = async (sweep: boolean) => {
    try {
      if (sweep) {
        lastSweep = Date.now();
        await deps.reconciler.sweep();
      } else {
        await deps.reconciler.checkTimers();
      }
    } catch (error) {
      deps.log.warn({ err: error }, 'reconcile failed; will try again');
    }
  };

  const run = (sweep: boolean): Promise<void> => {
    if (stopped || !deps.lease.held()) return Promise.resolve();
    if (running) {
      sweepWanted ||= sweep;
      return running;
    }
    running = (async () => {
      let next = sweep;
      do {
        sweepWanted = false;
        await runOnce(next);
        next = true;
      } while (sweepWanted && !stopped && deps.lease.held());
      running = undefined;
    })();
    return running;
  };

  const timer = setInterval(() => void run(Date.now() - lastSweep >= deps.intervalMs), Math.min(TIMER_CHECK_MS, deps.intervalMs));
  timer.unref();

  return {
    trigger: () => run(true),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
