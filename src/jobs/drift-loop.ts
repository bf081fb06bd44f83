import type { DriftDetector } from '../services/drift.js';
import type { Log } from '../services/ports.js';

/**
 * Runs drift detection every `intervalMs` (the reconcile interval), apart from the sweep: a
 * slow provisioner must never delay a revocation. Runs never overlap.
 */
export function startDriftLoop(deps: { drift: DriftDetector; intervalMs: number; log: Log }) {
  let running: Promise<void> | undefined;
  let stopped = false;

  const run = () => {
    if (stopped || running) return;
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
