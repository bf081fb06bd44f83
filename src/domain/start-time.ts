import { DateTime } from 'luxon';
import { err, ok, type Result } from './result.js';

/** How far ahead access may be scheduled. */
const MAX_SCHEDULE_AHEAD_DAYS = 30;

/**
 * When scheduled access starts: `22:00` (the next 22:00 in the person's time zone) or
 * `2026-12-01T22:00` (that day, in their zone unless the text names an offset).
 */
export function resolveStart(text: string, zone: string, now: number): Result<number> {
  const example = '`at 22:00` or `at 2026-12-01T22:00`';
  const clock = /^(\d{1,2}):(\d{2})$/.exec(text);
  let start: DateTime;
  if (clock) {
    const [hour, minute] = [Number(clock[1]), Number(clock[2])];
    if (hour > 23 || minute > 59) return err(`"${text}" is not a time of day; write ${example}.`);
    const today = DateTime.fromMillis(now, { zone }).set({ hour, minute, second: 0, millisecond: 0 });
    start = today.toMillis() > now ? today : today.plus({ days: 1 });
  } else {
    start = DateTime.fromISO(text, { zone });
    if (!start.isValid) return err(`"${text}" is not a start time; write ${example} (in your Slack time zone, ${zone}).`);
    if (start.toMillis() <= now) return err(`${start.toFormat("yyyy-LL-dd HH:mm")} (${zone}) has passed; give a start in the future, or leave out \`at …\` to start when approved.`);
  }
  if (start.toMillis() - now > MAX_SCHEDULE_AHEAD_DAYS * 86_400_000) return err(`Access can be scheduled at most ${MAX_SCHEDULE_AHEAD_DAYS} days ahead.`);
  return ok(start.toMillis());
}
