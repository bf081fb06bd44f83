import type { Clock } from '../domain/clock.js';
import type { Store } from '../store/store.js';

/** Slack refuses nothing ahead of its own clock; we allow this much skew between the two. */
export const MAX_AHEAD_MS = 60_000;

/**
 * How long a delivery is remembered: Slack's signatures are good for 5 minutes (plus the skew
 * above), and its last retry of an event comes about 5 minutes after the first attempt.
 */
export const REMEMBER_MS = 10 * 60_000;

/**
 * Replays and redeliveries: a signed Slack request can be resent byte for byte within its
 * 5-minute window, and Slack itself redelivers what it thinks was not acked. Each is let
 * through once, by its signature and by its trigger_id / event_id.
 */
export function createDeliveryLog(deps: { store: Pick<Store, 'firstDelivery'>; clock: Clock }) {
  return {
    /** Whether a request signed at this unix time is further ahead than Slack's clock could be. */
    fromTheFuture(timestampSeconds: number): boolean {
      return timestampSeconds * 1000 > deps.clock.now().toMillis() + MAX_AHEAD_MS;
    },
    /** True the first time any of these keys is seen within REMEMBER_MS, false for every copy after. */
    async firstSighting(keys: readonly string[]): Promise<boolean> {
      const now = deps.clock.now().toMillis();
      return await deps.store.firstDelivery(keys, now, now - REMEMBER_MS);
    },
  };
}

export type DeliveryLog = ReturnType<typeof createDeliveryLog>;
