import { setTimeout as sleep } from 'node:timers/promises';
import type { Log } from './services/ports.js';

/** How long a shutdown waits, in all, for running work to finish before it lets go. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * Runs the steps of a shutdown in order, all within one time budget. A step still running when
 * the budget is spent (its Redis, Slack, provisioner or database is not answering) is let go and
 * the next one starts, so shutting down always ends; a step that fails is logged and passed.
 * Returns the names of the steps let go.
 */
export async function runWithin(budgetMs: number, steps: readonly (readonly [name: string, work: () => Promise<unknown>])[], log: Log): Promise<string[]> {
  const deadline = Date.now() + budgetMs;
  const abandoned: string[] = [];
  for (const [name, work] of steps) {
    const finished = work().then(
      () => true,
      (error: unknown) => {
        log.warn({ err: error, step: name }, 'shutdown step failed');
        return true;
      },
    );
    const budgetLeft = new AbortController();
    const timedOut = sleep(Math.max(0, deadline - Date.now()), false, { signal: budgetLeft.signal }).catch(() => false);
    if (!(await Promise.race([finished, timedOut]))) abandoned.push(name);
    budgetLeft.abort();
  }
  return abandoned;
}
