import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Duration } from 'luxon';
import { compactDuration, formatDuration, parseDuration } from '../../../src/domain/duration.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  const accepted: [string, number][] = [
    ['90s', 90_000],
    ['30m', 30 * MINUTE],
    ['2h', 2 * HOUR],
    ['1h30m', HOUR + 30 * MINUTE],
    ['1d', DAY],
    ['1d2h', DAY + 2 * HOUR],
    ['1d2h3m4s', DAY + 2 * HOUR + 3 * MINUTE + 4_000],
  ];
  for (const [text, millis] of accepted) {
    test(`"${text}" is read as ${millis} ms`, () => {
      assert.equal(parseDuration(text)?.toMillis(), millis);
    });
  }

  test('surrounding spaces and capital units are tolerated ("  2H ")', () => {
    assert.equal(parseDuration('  2H ')?.toMillis(), 2 * HOUR);
  });

  test('a zero duration ("0m") parses to 0 ms, leaving the caller to decide whether zero makes sense', () => {
    const zero = parseDuration('0m');
    assert.ok(zero, '0m should parse');
    assert.equal(zero.toMillis(), 0);
  });

  const refused: [string, string][] = [
    ['', 'an empty string'],
    ['   ', 'only spaces'],
    ['30', 'a number without a unit'],
    ['m', 'a unit without a number'],
    ['2x', 'an unknown unit'],
    ['1m1h', 'units in the wrong order'],
    ['1h1h', 'the same unit twice'],
    ['-5m', 'a negative duration'],
    ['1.5h', 'a fractional amount'],
    ['30 m', 'a space inside'],
    ['99999999999999999999d', 'an amount too large to count in milliseconds'],
  ];
  for (const [text, what] of refused) {
    test(`${what} (${JSON.stringify(text)}) is not a duration`, () => {
      assert.equal(parseDuration(text), undefined);
    });
  }
});

describe('formatDuration', () => {
  test('90 minutes reads "1 h 30 min"', () => {
    assert.equal(formatDuration(Duration.fromMillis(90 * MINUTE)), '1 h 30 min');
  });

  test('45 seconds reads "45 s"', () => {
    assert.equal(formatDuration(Duration.fromMillis(45_000)), '45 s');
  });

  test('51 hours reads "2 d 3 h"', () => {
    assert.equal(formatDuration(Duration.fromMillis(2 * DAY + 3 * HOUR)), '2 d 3 h');
  });

  test('a duration given in other units is normalised ("{ minutes: 150 }" reads "2 h 30 min")', () => {
    assert.equal(formatDuration(Duration.fromObject({ minutes: 150 })), '2 h 30 min');
  });

  test('fractions round to the second and carry: 44 min 59.6 s reads "45 min", never "44 min 60 s"', () => {
    assert.equal(formatDuration(Duration.fromMillis(45 * MINUTE - 400)), '45 min');
    assert.equal(compactDuration(Duration.fromMillis(45 * MINUTE - 400)), '45m');
  });

  test('zero reads "0 s" rather than an empty string', () => {
    assert.equal(formatDuration(Duration.fromMillis(0)), '0 s');
  });
});

describe('compactDuration', () => {
  test('90 minutes is written "1h30m"', () => {
    assert.equal(compactDuration(Duration.fromMillis(90 * MINUTE)), '1h30m');
  });

  test('zero is written "0s", which parseDuration reads back', () => {
    assert.equal(compactDuration(Duration.fromMillis(0)), '0s');
    assert.equal(parseDuration('0s')?.toMillis(), 0);
  });

  for (const text of ['90s', '30m', '2h', '1h30m', '1d', '1d2h', '7d', '1d2h3m4s', '36h']) {
    test(`"${text}" survives a round trip through compactDuration and parseDuration`, () => {
      const parsed = parseDuration(text);
      assert.ok(parsed, `${text} should parse`);
      const compact = compactDuration(parsed);
      assert.equal(parseDuration(compact)?.toMillis(), parsed.toMillis(), `${text} → ${compact}`);
    });
  }

  test('36h is written in its largest units, "1d12h"', () => {
    const parsed = parseDuration('36h');
    assert.ok(parsed);
    assert.equal(compactDuration(parsed), '1d12h');
  });
});
