import type { Clock } from '../domain/clock.js';
import { createMinuteTally } from '../services/minute-tally.js';
import type { Log } from '../services/ports.js';
import type { AuditEvent } from '../store/store.js';

/** The part of a refused path kept: enough to tell what was tried, not a place to store text. */
export const REFUSED_PATH_CHARS = 200;
/** Sources recorded one by one in a minute; the rest share one event. */
export const SOURCES_PER_MINUTE = 20;

interface Tally {
  requests: number;
  withToken: number;
  firstPath: string;
}

/**
 * Refused admin API calls, counted per source address and minute: each source's minute becomes
 * one `api.unauthorized` audit event with a count (and the first path, cut short) once the minute
 * is over; past SOURCES_PER_MINUTE sources, the others share one event. So strangers cannot
 * write the audit trail at will: at most SOURCES_PER_MINUTE + 1 events a minute, each small.
 * Counts live in memory until their minute is written: a crash loses at most that minute.
 */
export function createRefusalTally(deps: { record: (event: AuditEvent) => Promise<void>; clock: Clock; log: Log }) {
  async function write(source: string | null, tally: Tally, startMs: number): Promise<void> {
    const path = tally.firstPath.slice(0, REFUSED_PATH_CHARS);
    await deps.record({
      at: deps.clock.now().toMillis(),
      actor: 'unknown',
      action: 'api.unauthorized',
      subjectType: 'system',
      subjectId: 'admin-api',
      details: {
        remote_address: source,
        ...(source === null ? { other_sources: true } : {}),
        requests: tally.requests,
        with_token: tally.withToken,
        minute: new Date(startMs).toISOString(),
        first_path: path,
        path_truncated: path.length < tally.firstPath.length,
      },
    });
    deps.log.warn({ remoteAddress: source, requests: tally.requests, path }, 'admin API requests without a valid token');
  }

  const tallies = createMinuteTally<Tally>({ keysPerMinute: SOURCES_PER_MINUTE, write, failure: 'could not record refused admin API requests', clock: deps.clock, log: deps.log });

  return {
    note(refused: { source: string | undefined; path: string; hadToken: boolean }): void {
      const tally = tallies.tally(refused.source ?? 'unknown', () => ({ requests: 0, withToken: 0, firstPath: refused.path.slice(0, REFUSED_PATH_CHARS + 1) }));
      tally.requests += 1;
      if (refused.hadToken) tally.withToken += 1;
    },
    /** At shutdown: the minute so far is written now. */
    stop: tallies.stop,
  };
}

export type RefusalTally = ReturnType<typeof createRefusalTally>;
