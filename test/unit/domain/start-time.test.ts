import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { parseRequestCommand } from '../../../src/domain/request-command.js';
import { resolveStart } from '../../../src/domain/start-time.js';

const NOW = DateTime.fromISO('2026-11-25T20:30:00', { zone: 'Europe/Paris' }).toMillis();
const at = (text: string, zone = 'Europe/Paris') => {
  const r = resolveStart(text, zone, NOW);
  return r.ok ? (DateTime.fromMillis(r.value, { zone }).toISO({ suppressMilliseconds: true }) ?? '') : r.error;
};

test('`at 22:00` is the next 22:00 in the person’s zone; a time already past today means tomorrow', () => {
  assert.equal(at('22:00'), '2026-11-25T22:00:00+01:00');
  assert.equal(at('08:15'), '2026-11-26T08:15:00+01:00');
  assert.equal(at('22:00', 'America/New_York'), '2026-11-25T22:00:00-05:00', 'it is 14:30 in New York');
});

test('`at 2026-12-01T22:00` is that moment in their zone, unless it names an offset', () => {
  assert.equal(at('2026-12-01T22:00'), '2026-12-01T22:00:00+01:00');
  const utc = resolveStart('2026-12-01T22:00Z', 'Europe/Paris', NOW);
  assert.ok(utc.ok);
  assert.equal(DateTime.fromMillis(utc.value, { zone: 'utc' }).toISO({ suppressMilliseconds: true }), '2026-12-01T22:00:00.000Z'.replace('.000', ''));
});

test('past, far-off and unreadable starts are refused saying how to write them', () => {
  assert.match(at('2026-11-01T10:00'), /has passed; give a start in the future/);
  assert.match(at('2027-06-01T10:00'), /at most 30 days ahead/);
  assert.match(at('25:00'), /"25:00" is not a time of day/);
  assert.match(at('tonight'), /"tonight" is not a start time; write `at 22:00` or `at 2026-12-01T22:00` \(in your Slack time zone, Europe\/Paris\)/);
});

test('`<resource> <duration> at <time> <reason>` parses the start apart from the reason', () => {
  assert.deepEqual(parseRequestCommand('prod-db 2h at 22:00 night migration INC-5'), { kind: 'access', resource: 'prod-db', durationText: '2h', reason: 'night migration INC-5', emergency: false, startText: '22:00' });
  assert.equal(parseRequestCommand('optout prod-db 2d at 22:00 on call').kind, 'invalid');
});
