import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitMeantLength } from '../../../src/domain/meant-length.js';

const words = (text: string) => text.split(' ').filter((w) => w !== '');

describe('splitMeantLength: the words after the resource that someone meant as a length', () => {
  // [what was typed after the resource, the length they meant (undefined: none), the rest]
  const cases: [string, string | undefined, string][] = [
    // lengths jitbot reads
    ['30m debugging INC-4211', '30m', 'debugging INC-4211'],
    ['1h30m fix', '1h30m', 'fix'],
    ['+45m fix', '+45m', 'fix'],
    // lengths jitbot cannot read, but that were meant as one
    ['forever reason', 'forever', 'reason'],
    ['Permanent reason', 'Permanent', 'reason'],
    ['permanently reason', 'permanently', 'reason'],
    ['indefinitely reason', 'indefinitely', 'reason'],
    ['unlimited reason', 'unlimited', 'reason'],
    ['1 hour reason', '1 hour', 'reason'],
    ['2 h reason', '2 h', 'reason'],
    ['1.5 hours reason', '1.5 hours', 'reason'],
    ['1 hour 30 minutes reason', '1 hour 30 minutes', 'reason'],
    ['1h 30m reason', '1h 30m', 'reason'],
    ['2days reason', '2days', 'reason'],
    ['90 reason', '90', 'reason'],
    ['-5m reason', '-5m', 'reason'],
    ['1.5h reason', '1.5h', 'reason'],
    ['P1D reason', 'P1D', 'reason'],
    ['pt2h reason', 'pt2h', 'reason'],
    ['P1DT12H reason', 'P1DT12H', 'reason'],
    ['3x0 reason', '3x0', 'reason'],
    ['forever', 'forever', ''],
    // a plain reason: no length
    ['debugging INC-4211', undefined, 'debugging INC-4211'],
    ['P1 incident INC-7', undefined, 'P1 incident INC-7'],
    ['hour of need', undefined, 'hour of need'],
    ['--emergency fire', undefined, '--emergency fire'],
    ['at 22:00 migration', undefined, 'at 22:00 migration'],
    ['', undefined, ''],
    // a length, then a reason that starts with a number
    ['2h 3 servers down', '2h', '3 servers down'],
    ['1h 2fa reset INC-1', '1h', '2fa reset INC-1'],
  ];
  for (const [typed, length, rest] of cases) {
    test(`"${typed}" → ${length === undefined ? 'no length' : `length "${length}"`}, then "${rest}"`, () => {
      const split = splitMeantLength(words(typed));
      assert.equal(split.lengthText, length);
      assert.deepEqual(split.rest, words(rest));
    });
  }
});
