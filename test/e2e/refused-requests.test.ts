import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';

const METRICS_TOKEN = 'metrics-token-0123456789';

interface Refused {
  seq: number;
  actor: string;
  resource: string | null;
  reason: string | null;
  details: { asked: string; asked_truncated: boolean; count: number; minute: string };
}

const refusedAfter = (h: Harness, seq: number): Refused[] =>
  (h.sqlite.prepare("select seq, actor, resource, reason, details from audit_events where action = 'request.refused' and seq > ? order by seq").all(seq) as (Omit<Refused, 'details'> & { details: string })[]).map(
    (row) => ({ ...row, details: JSON.parse(row.details) as Refused['details'] }),
  );

function counts(h: Harness) {
  const one = (sql: string) => h.sqlite.prepare(sql).pluck().get() as number;
  return { requests: one('select count(*) from requests'), grants: one('select count(*) from grants'), audit: one('select count(*) from audit_events'), lastSeq: one('select coalesce(max(seq), 0) from audit_events') };
}

describe('failed requests are recorded', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { METRICS_TOKEN }, settings: { max_pending_per_resource: '1' } });
  });
  after(async () => {
    await h.close();
  });

  const refusedMetric = async () => {
    const res = await fetch(h.metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const line = (await res.text()).split('\n').find((l) => l.startsWith('jitbot_requests_total{outcome="refused"} '));
    return line === undefined ? 0 : Number(line.split(' ')[1]);
  };

  /** Asks, checks the reply, and returns the one `request.refused` event written (once its minute is over) and nothing else. */
  async function refusedOnce(userId: string, text: string, reply: RegExp): Promise<Refused> {
    const before = counts(h);
    const metric = await refusedMetric();
    assert.match(await h.ask(userId, text), reply);
    assert.equal(await refusedMetric(), metric + 1, 'counted as refused');
    h.clock.advance(60_000);
    const [event] = await eventually('the refusal recorded', () => (refusedAfter(h, before.lastSeq).length > 0 ? refusedAfter(h, before.lastSeq) : undefined), 15_000);
    assert.ok(event);
    const after = counts(h);
    assert.deepEqual([after.requests, after.grants, after.audit], [before.requests, before.grants, before.audit + 1], 'no request, no grant: one request.refused event and nothing else');
    return event;
  }

  const cases: [string, string, string, RegExp, string, string][] = [
    ['an unknown resource', USERS.alice, 'prod-dbx 30m fix INC-1', /no resource called "prod-dbx"/, 'unknown_resource', 'prod-dbx'],
    ['someone not allowed to request it', USERS.outsider, 'prod-db 30m curious INC-3', /not on the list of people who may request prod-db/, 'not_a_requester', 'prod-db'],
    ['a length over max_duration', USERS.alice, 'prod-db 3h fix INC-1', /at most 2 h/, 'over_max_duration', 'prod-db'],
    ['a reason not matching reason_pattern', USERS.bob, 'prod-db 30m just because', /INC-\[0-9\]\+/, 'bad_reason', 'prod-db'],
  ];
  for (const [what, userId, text, reply, code, resource] of cases) {
    test(`${what}: one request.refused event with who, the resource, the words as typed and why; counted as refused`, async () => {
      const event = await refusedOnce(userId, text, reply);
      assert.deepEqual([event.actor, event.resource, event.reason, event.details.asked, event.details.asked_truncated, event.details.count], [userId, resource, code, text, false, 1]);
    });
  }

  test('over the pending limit: one request.refused event (pending_limit); the waiting request stays the only one', async () => {
    requestIdIn(await h.ask(USERS.alice, 'staging 10m first one'));
    const event = await refusedOnce(USERS.alice, 'staging 10m second one', /settings\.max_pending_per_resource/);
    assert.deepEqual([event.actor, event.resource, event.reason, event.details.asked], [USERS.alice, 'staging', 'pending_limit', 'staging 10m second one']);
  });

  test('the words recorded are capped', async () => {
    const text = `prod-dbx 30m ${'x'.repeat(300)}`;
    const event = await refusedOnce(USERS.bob, text, /no resource called/);
    assert.equal(event.details.asked, text.slice(0, 200));
    assert.equal(event.details.asked_truncated, true);
  });

  test('the same refusal 50 times in a loop writes one event per minute with the count; a different refusal is still recorded', async () => {
    const before = counts(h);
    const metric = await refusedMetric();
    for (let i = 0; i < 50; i += 1) assert.match(await h.ask(USERS.bob, 'prod-db 5h loop INC-9'), /at most 2 h/);
    assert.match(await h.ask(USERS.bob, 'prod-db 30m no ticket'), /INC-\[0-9\]\+/);
    assert.equal(await refusedMetric(), metric + 51, 'every refusal counts in the metric');
    h.clock.advance(60_000);
    const events = await eventually(
      'the minute(s) recorded',
      () => {
        const found = refusedAfter(h, before.lastSeq);
        const sum = found.reduce((n, e) => n + e.details.count, 0);
        return sum === 51 ? found : undefined;
      },
      15_000,
    );
    const loop = events.filter((e) => e.reason === 'over_max_duration');
    // The loop may straddle a minute boundary on a slow machine: then one event for each minute.
    assert.equal(new Set(loop.map((e) => e.details.minute)).size, loop.length, 'one event per minute for the repeated refusal');
    assert.ok(loop.length <= 2, `${loop.length} events for 50 repeats`);
    assert.equal(loop.reduce((n, e) => n + e.details.count, 0), 50);
    const other = events.filter((e) => e.reason === 'bad_reason');
    assert.deepEqual(other.map((e) => [e.actor, e.details.asked, e.details.count]), [[USERS.bob, 'prod-db 30m no ticket', 1]]);
    const after = counts(h);
    assert.deepEqual([after.requests, after.grants, after.audit], [before.requests, before.grants, before.audit + events.length]);
  });
});
