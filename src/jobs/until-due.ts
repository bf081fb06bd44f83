import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, type Job } from 'bullmq';
import type { Clock } from '../domain/clock.js';
import { isNotDue, type NotDue } from '../domain/due.js';
import { TIMER_LEAD_MS } from './access-queue.js';

/**
 * The one way a timed job waits for its moment, whatever its kind. The step itself decides
 * from the database whether it is due and answers `not_due` otherwise; then the job waits:
 * in process when the moment is near (timed jobs are handed over up to TIMER_LEAD_MS early
 * on purpose), back in BullMQ's delayed set when it is further off (the moment moved later,
 * or the job was promoted early). So no step ever happens before it is due.
 */
export async function untilDue(job: Job, token: string | undefined, clock: Clock, attempt: () => Promise<{ kind: string } | NotDue>): Promise<void> {
  for (;;) {
    const outcome = await attempt();
    if (!isNotDue(outcome)) return;
    const wait = outcome.dueAt - clock.now().toMillis();
    if (wait > 2 * TIMER_LEAD_MS) {
      await job.moveToDelayed(Date.now() + wait - TIMER_LEAD_MS, token);
      throw new DelayedError();
    }
    await sleep(Math.max(0, wait));
  }
}
