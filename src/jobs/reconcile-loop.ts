import type { Log } from '../services/ports.js';
import type { Reconciler } from '../services/reconcile.js';

/**
 * Runs the reconcile sweep every `intervalMs`, and on demand (Redis reconnected). A plain
 * timer rather than a BullMQ job on purpose: it must keep running when Redis lost its data.
 * Sweeps never overlap; a request during a sweep runs one more right after it.
 */
export function startReconcileLoop(deps: { reconciler: Reconciler; intervalMs: number; log: Log }) {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const runOnce = async () => {
    try {
      await deps.reconciler.sweep();
    } catch (error) {
      deps.log.warn({ err: error }, 'reconcile sweep failed; will try again');
    }
  };

  const trigger = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await runOnce();
      } while (again && !stopped);
      running = undefined;
    })();
    return running;
  };

  const timer = setInterval(() => void trigger(), deps.intervalMs);
  timer.unref();

  return {
    trigger,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
