import type { DriftDetector } from '../services/drift.js';
import type { Log } from '../services/ports.js';
import type { Lease } from './lease.js';

/**
 * Runs drift detection every `intervalMs` (the reconcile interval), apart from the sweep: a
 * slow provisioner must never delay a revocation. Runs never overlap, and run only on the
 * replica holding `lease`.
 */
export function startDriftLoop(deps: { drift: DriftDetector; intervalMs: number; lease: Pick<Lease, 'held'>; log: Log }) {
  let running: Promise<void> | undefined;
  let stopped = false;

  const run = () => {
    if (stopped || running || !deps.lease.held()) return;
    running = deps.drift
      .checkAll()
      .then(
        (report) => {
          if (report.found + report.gone + report.removed > 0) deps.log.info({ ...report }, 'drift check');
        },
        (error: unknown) => deps.log.warn({ err: error }, 'drift check failed; will try again'),
      )
      .finally(() => {
        running = undefined;
      });
  };

  const timer = setInterval(run, deps.intervalMs);
  timer.unref();
  run();

  return {
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
