import { Duration } from 'luxon';

const UNIT_MILLIS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;
type Unit = keyof typeof UNIT_MILLIS;
const UNIT_ORDER: readonly Unit[] = ['d', 'h', 'm', 's'];
const DURATION_SHAPE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export const DURATION_HINT = 'a duration like 90s, 30m, 2h, 1h30m or 1d';

/**
 * Parses `90s`, `30m`, `2h`, `1h30m`, `1d` (units in that order, each at most once).
 * Returns undefined for anything else, including an empty string. Zero is allowed here;
 * callers decide whether a zero duration makes sense. A bare `0` is zero too.
 */
export function parseDuration(text: string): Duration | undefined {
  if (text.trim() === '0') return Duration.fromMillis(0);
  const match = DURATION_SHAPE.exec(text.trim().toLowerCase());
  if (!match || match[0] === '') return undefined;
  let millis = 0;
  UNIT_ORDER.forEach((unit, i) => {
    const amount = match[i + 1];
    if (amount !== undefined) millis += Number(amount) * UNIT_MILLIS[unit];
  });
  if (!Number.isSafeInteger(millis)) return undefined;
  return Duration.fromMillis(millis);
}

/** Days to seconds, rounded to the second first (59.6 s is 1 min, never "60 s"). */
function wholeSeconds(duration: Duration): Duration {
  return Duration.fromMillis(Math.round(duration.toMillis() / 1000) * 1000).shiftTo('days', 'hours', 'minutes', 'seconds');
}

/** "1 h 30 min", "45 s", "2 d 3 h" — the words people read in messages. */

export function formatDuration(duration: Duration): string {
  const parts = wholeSeconds(duration);
  const words: string[] = [];
  if (parts.days) words.push(`${parts.days} d`);
  if (parts.hours) words.push(`${parts.hours} h`);
  if (parts.minutes) words.push(`${parts.minutes} min`);
  if (parts.seconds) words.push(`${parts.seconds} s`);
  return words.length > 0 ? words.join(' ') : '0 s';
}

/** The compact form that `parseDuration` reads back: `1h30m`. */
export function compactDuration(duration: Duration): string {
  const parts = wholeSeconds(duration);
  const text =
    (parts.days ? `${parts.days}d` : '') +
    (parts.hours ? `${parts.hours}h` : '') +
    (parts.minutes ? `${parts.minutes}m` : '') +
    (parts.seconds ? `${parts.seconds}s` : '');
  return text === '' ? '0s' : text;
}
