import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import type { Log } from './ports.js';

/**
 * Where messages that report something already done (a decision, a grant, a revocation) wait
 * their turn: a few in flight at a time, never awaited by the work that caused them. Under a
 * burst the CPU goes first to acking Slack and to revoking on time; people are told right after.
 * Messages still waiting are lost if the process dies; the state they report is in SQLite.
 */
export function createMessageLane(deps: { inFlight: number; log: Log }) {
  const limit = pLimit(deps.inFlight);
  return {
    send(message: () => Promise<void>): void {
      limit(message).catch((error: unknown) => deps.log.warn({ err: error }, 'a notification failed'));
    },
    /** Waits (up to `timeoutMs`) for every waiting message to go out: for a graceful stop. */
    async drain(timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (limit.activeCount + limit.pendingCount > 0 && Date.now() < deadline) await sleep(20);
    },
  };
}

export type MessageLane = ReturnType<typeof createMessageLane>;
