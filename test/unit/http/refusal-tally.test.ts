import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DateTime } from 'luxon';
import pino from 'pino';
import { createRefusalTally, REFUSED_PATH_CHARS, SOURCES_PER_MINUTE } from '../../../src/http/refusal-tally.js';
import type { AuditEvent } from '../../../src/store/store.js';

const T0 = Date.UTC(2026, 11, 1, 15, 0, 10);

function tally() {
  let now = T0;
  const recorded: AuditEvent[] = [];
  const refusals = createRefusalTally({ record: async (event) => void recorded.push(event), clock: { now: () => DateTime.fromMillis(now, { zone: 'utc' }) }, log: pino({ level: 'silent' }) });
  return {
    refusals,
    recorded,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('refused admin API calls in the audit trail', () => {
  test('200 refusals with a 15,000-character path from one source in a minute: one event with the count, the path cut to 200 characters', async () => {
    const t = tally();
    const path = `/api/${'A'.repeat(15_000)}`;
    for (let i = 0; i < 200; i += 1) t.refusals.note({ source: '203.0.113.9', path, hadToken: i % 2 === 0 });
    assert.equal(t.recorded.length, 0, 'nothing is written while the minute lasts');
    t.advance(60_000);
    t.refusals.note({ source: '203.0.113.9', path: '/api/grants', hadToken: false });
    assert.equal(t.recorded.length, 1);
    const [event] = t.recorded;
    assert.deepEqual({ ...event, details: { ...event?.details, first_path: undefined } }, {
      at: T0 + 60_000,
      actor: 'unknown',
      action: 'api.unauthorized',
      subjectType: 'system',
      subjectId: 'admin-api',
      details: { remote_address: '203.0.113.9', requests: 200, with_token: 100, minute: '2026-12-01T15:00:00.000Z', first_path: undefined, path_truncated: true },
    });
    assert.equal(event?.details?.['first_path'], path.slice(0, REFUSED_PATH_CHARS));
    assert.ok(JSON.stringify(event).length < 600, 'a small event');
    await t.refusals.stop();
    assert.equal(t.recorded.length, 2, 'stopping writes the minute counted so far');
    assert.deepEqual([t.recorded[1]?.details?.['requests'], t.recorded[1]?.details?.['path_truncated']], [1, false]);
  });

  test(`past ${SOURCES_PER_MINUTE} sources in a minute, the others share one event: a minute never writes more than ${SOURCES_PER_MINUTE + 1}`, async () => {
    const t = tally();
    for (let s = 0; s < 500; s += 1) for (let i = 0; i < 3; i += 1) t.refusals.note({ source: `198.51.100.${s}`, path: `/api/x${s}`, hadToken: false });
    await t.refusals.stop();
    assert.equal(t.recorded.length, SOURCES_PER_MINUTE + 1);
    const others = t.recorded.at(-1)?.details;
    assert.deepEqual([others?.['remote_address'], others?.['other_sources'], others?.['requests']], [null, true, (500 - SOURCES_PER_MINUTE) * 3]);
    assert.ok(t.recorded.slice(0, -1).every((e) => e.details?.['requests'] === 3));
  });

  test('each minute is written once it is over, without waiting for another refusal', async () => {
    const t = tally();
    t.refusals.note({ source: '192.0.2.1', path: '/api/grants', hadToken: false });
    t.advance(60_000);
    const deadline = Date.now() + 10_000;
    while (t.recorded.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await t.refusals.stop();
    assert.equal(t.recorded.length, 1);
    assert.equal(t.recorded[0]?.details?.['minute'], '2026-12-01T15:00:00.000Z');
  });
});
