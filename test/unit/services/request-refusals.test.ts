import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import pino from 'pino';
import { createRequestRefusals, REFUSALS_PER_MINUTE } from '../../../src/services/request-refusals.js';
import type { AuditEvent } from '../../../src/store/store.js';

const T0 = Date.UTC(2026, 11, 1, 15, 0, 10);

function refusals() {
  let now = T0;
  const recorded: AuditEvent[] = [];
  const outcomes: string[] = [];
  const service = createRequestRefusals({
    store: { recordEvent: async (event) => void recorded.push(event) },
    metrics: { requestOutcome: (outcome) => void outcomes.push(outcome) },
    clock: { now: () => DateTime.fromMillis(now, { zone: 'utc' }) },
    log: pino({ level: 'silent' }),
  });
  return { service, recorded, outcomes, advance: (ms: number) => void (now += ms) };
}

const ask = (userId: string, typed: string) => ({ userId, resource: 'prod-db', typed, code: 'bad_reason' as const });

test('each refusal answers with its message and counts as refused; a minute of the same one is one event with the count', () => {
  const r = refusals();
  for (let i = 0; i < 50; i += 1) assert.deepEqual(r.service.refuse(ask('U0BOB', 'prod-db 30m loop'), 'needs INC-…'), { ok: false, error: 'needs INC-…' });
  r.service.refuse(ask('U0BOB', 'prod-db 30m other'), 'needs INC-…');
  assert.equal(r.outcomes.length, 51);
  assert.ok(r.outcomes.every((o) => o === 'refused'));
  assert.equal(r.recorded.length, 0, 'written once the minute is over');
  r.advance(60_000);
  r.service.refuse(ask('U0BOB', 'prod-db 30m loop'), 'needs INC-…');
  assert.deepEqual(
    r.recorded.map((e) => [e.actor, e.action, e.subjectType, e.subjectId, e.resource, e.reason, e.details]),
    [
      ['U0BOB', 'request.refused', 'user', 'U0BOB', 'prod-db', 'bad_reason', { asked: 'prod-db 30m loop', asked_truncated: false, count: 50, minute: '2026-12-01T15:00:00.000Z' }],
      ['U0BOB', 'request.refused', 'user', 'U0BOB', 'prod-db', 'bad_reason', { asked: 'prod-db 30m other', asked_truncated: false, count: 1, minute: '2026-12-01T15:00:00.000Z' }],
    ],
  );
  r.service.stop();
  assert.equal(r.recorded.length, 3, 'stopping writes the minute so far');
});

test('past REFUSALS_PER_MINUTE different refusals in a minute, the others share one event, so words that vary cannot flood the trail', () => {
  const r = refusals();
  for (let i = 0; i < REFUSALS_PER_MINUTE + 500; i += 1) r.service.refuse(ask('U0BOB', `prod-db 30m loop ${i}`), 'no');
  r.service.stop();
  assert.equal(r.recorded.length, REFUSALS_PER_MINUTE + 1);
  assert.deepEqual(r.recorded.at(-1)?.details, { other_refusals: true, count: 500, minute: '2026-12-01T15:00:00.000Z' });
});
