/**
 * Which of the words after a resource name someone meant as a length, readable or not.
 * `/request prod-db forever reason` means a length (and must be refused), not the reason
 * "forever reason"; `/request prod-db debugging INC-4211` means no length at all.
 */

/** Words that ask for no end at all. */
const ENDLESS = new Set(['forever', 'permanent', 'permanently', 'indefinite', 'indefinitely', 'unlimited', 'infinite']);

/** Unit words people write after a number, spelled out or short ("1 hour", "2 h"). */
const UNITS = '(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mo|months?|y|yrs?|years?)';
const BARE_NUMBER = /^[-+]?\d+(?:[.,]\d+)?$/;
const UNIT_WORD = new RegExp(`^${UNITS}$`, 'i');
/** A number with its unit attached: `30m`, `2days`, `1.5h`, `1h30m`. */
const NUMBER_WITH_UNIT = new RegExp(`^\\d+(?:[.,]\\d+)?${UNITS}(?:\\d+${UNITS})*$`, 'i');
/** ISO 8601 (`P1D`, `PT2H`); `P1` alone is an incident priority, not a length. */
const ISO_8601 = /^P(?=\d|T\d)(?:\d+(?:[.,]\d+)?[YMWD])*(?:T(?:\d+(?:[.,]\d+)?[HMS])+)?$/i;

/** How many words from `i` make one piece of a length ("30m", "1 hour"), 0 when none. */
function pieceAt(words: readonly string[], i: number): number {
  const word = words[i] ?? '';
  const next = words[i + 1];
  if (BARE_NUMBER.test(word) && next !== undefined && UNIT_WORD.test(next)) return 2;
  return NUMBER_WITH_UNIT.test(word) ? 1 : 0;
}

/** How many leading words were meant as a length. A first word starting with a digit or a sign counts, so a mistyped length is reported. */
function lengthWordCount(words: readonly string[]): number {
  const first = words[0];
  if (first === undefined) return 0;
  if (ENDLESS.has(first.toLowerCase()) || ISO_8601.test(first)) return 1;
  if (!/^[-+]?\d/.test(first)) return 0;
  let count = Math.max(pieceAt(words, 0), 1);
  // "1h 30m", "1 hour 30 minutes": a length written in several pieces.
  for (let more = pieceAt(words, count); more > 0; more = pieceAt(words, count)) count += more;
  return count;
}

/** The leading words meant as a length (joined as typed), and the words after them. */
export function splitMeantLength(words: readonly string[]): { lengthText: string | undefined; rest: string[] } {
  const count = lengthWordCount(words);
  return { lengthText: count === 0 ? undefined : words.slice(0, count).join(' '), rest: words.slice(count) };
}
