import type { Clock } from '../domain/clock.js';
import type { Log } from './ports.js';

const MINUTE_MS = 60_000;
const CHECK_EVERY_MS = 1_000;

/**
 * Things that happen again and again (refused calls), counted per key and minute so that a loop
 * cannot flood the audit trail: once its minute is over, each key's tally is written once. Past
 * `keysPerMinute` keys in a minute the others share one tally (written with the key `null`), so a
 * minute writes at most `keysPerMinute + 1`, whatever arrives. Tallies live in memory until their
 * minute is written: a crash loses at most that minute; `stop` writes the minute so far.
 */
export function createMinuteTally<T>(deps: {
  keysPerMinute: number;
  write: (key: string | null, tally: T, minuteStartMs: number) => Promise<void>;
  /** The log line when writing fails (the tallies of that minute are lost, nothing else). */
  failure: string;
  clock: Clock;
  log: Log;
}) {
  let minute: number | undefined;
  let tallies = new Map<string, T>();
  let others: T | undefined;
  const minuteNow = () => Math.floor(deps.clock.now().toMillis() / MINUTE_MS);

  /** Writes the minute being counted, if it is over (or `always`, at shutdown); never rejects. */
  async function flush(always = false): Promise<void> {
    if (minute === undefined || (!always && minuteNow() === minute)) return;
    const startMs = minute * MINUTE_MS;
    const [done, rest] = [tallies, others];
    minute = undefined;
    tallies = new Map();
    others = undefined;
    try {
      for (const [key, tally] of done) await deps.write(key, tally, startMs);
      if (rest) await deps.write(null, rest, startMs);
    } catch (error) {
      deps.log.error({ err: error }, deps.failure);
    }
  }

  const timer = setInterval(() => void flush(), CHECK_EVERY_MS);
  timer.unref();

  return {
    /** This minute's tally for `key` (made by `fresh` on its first time), for the caller to count into. */
    tally(key: string, fresh: () => T): T {
      void flush();
      minute ??= minuteNow();
      let tally = tallies.get(key);
      if (!tally && tallies.size < deps.keysPerMinute) tallies.set(key, (tally = fresh()));
      tally ??= others ??= fresh();
      return tally;
    },
    /** At shutdown: the minute so far is written now. */
    async stop(): Promise<void> {
      clearInterval(timer);
      await flush(true);
    },
  };
}

export type MinuteTally<T> = ReturnType<typeof createMinuteTally<T>>;
