import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';

const TOKEN = 'admin-token-0123456789abcdef';

const refusedEvents = (h: Harness) =>
  (h.sqlite.prepare("select details from audit_events where action = 'api.unauthorized' order by seq").pluck().all() as string[]).map(
    (details) => JSON.parse(details) as { remote_address: string | null; requests: number; with_token: number; first_path: string; path_truncated: boolean },
  );

describe('the admin API (/api/…)', () => {
  let h: Harness;
  let api: (path: string, token?: string | null) => Promise<{ status: number; body: Record<string, unknown> }>;
  before(async () => {
    h = await startHarness({ adminToken: TOKEN });
    api = async (path, token: string | null = TOKEN) => {
      const res = await fetch(h.eventsUrl.replace('/slack/events', path), { headers: token ? { authorization: `Bearer ${token}` } : {} });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    for (const [user, text] of [
      [USERS.alice, 'prod-db 1h api one INC-1'],
      [USERS.bob, 'prod-db 1h api two INC-2'],
      [USERS.alice, 'staging 10m api three'],
    ] as const) {
      const requestId = requestIdIn(await h.ask(user, text));
      if (text.startsWith('prod-db')) await h.click(USERS.lead, 'approve', requestId);
    }
    await eventually('two grants', () => ((h.sqlite.prepare('select count(*) from grants').pluck().get() as number) === 2 ? true : undefined));
  });
  after(async () => {
    await h.close();
  });

  test('without the right token: 401, nothing listed, and an audit event', async () => {
    for (const token of [null, 'wrong-token-0123456789abcdef', `${TOKEN}x`]) {
      const { status, body } = await api('/api/grants', token);
      assert.equal(status, 401);
      assert.equal(body['items'], undefined);
    }
    h.clock.advance(60_000);
    const refused = await eventually('the minute of refusals recorded', () => refusedEvents(h)[0]);
    assert.equal(refusedEvents(h).length, 1, 'one event for the source and minute');
    assert.deepEqual([refused.requests, refused.with_token, refused.first_path], [3, 2, '/api/grants']);
  });

  test('grants, requests, exceptions and audit events, filtered, as JSON with ISO times', async () => {
    const grants = await api(`/api/grants?user=${USERS.alice}&status=active`);
    assert.equal(grants.status, 200);
    const items = grants.body['items'] as Record<string, unknown>[];
    assert.equal(items.length, 1);
    assert.equal(items[0]?.['user_id'], USERS.alice);
    assert.match(String(items[0]?.['expires_at']), /^\d{4}-\d\d-\d\dT.*Z$/);

    const pending = await api('/api/requests?status=pending&resource=staging');
    assert.deepEqual((pending.body['items'] as Record<string, unknown>[]).map((r) => r['reason']), ['api three']);
    assert.deepEqual((await api('/api/exceptions')).body, { items: [], next_cursor: null });

    const audit = await api(`/api/audit?actor=${USERS.lead}&action=request.approved`);
    const approved = audit.body['items'] as Record<string, unknown>[];
    assert.equal(approved.length, 2);
    assert.equal(typeof approved[0]?.['details'], 'object', 'details come as JSON, not a string');
  });

  test('pages follow next_cursor until it is null, with nothing twice', async () => {
    const seen: string[] = [];
    let path = '/api/audit?limit=4';
    for (let pages = 0; pages < 50; pages += 1) {
      const { status, body } = await api(path);
      assert.equal(status, 200);
      seen.push(...(body['items'] as { seq: number }[]).map((e) => String(e.seq)));
      if (body['next_cursor'] === null) break;
      path = `/api/audit?limit=4&cursor=${String(body['next_cursor'])}`;
    }
    const total = h.sqlite.prepare('select count(*) from audit_events').pluck().get() as number;
    assert.equal(new Set(seen).size, seen.length);
    assert.equal(seen.length, total, "every event, once");
  });

  test('a bad query is a 400 naming the parameter; an unknown collection a 404', async () => {
    const bad = await api('/api/grants?status=gone&limit=9999&since=yesterday');
    assert.equal(bad.status, 400);
    const problems = (bad.body['problems'] as string[]).join(' | ');
    assert.match(problems, /status: /);
    assert.match(problems, /limit: /);
    assert.match(problems, /since: expected an ISO 8601 time/);
    assert.equal((await api('/api/grants?colour=blue')).status, 400, 'unknown parameters are refused, not ignored');
    assert.equal((await api('/api/secrets')).status, 404);
  });
});

describe('the admin API without ADMIN_API_TOKEN', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('is off: /api answers 404 whatever the token', async () => {
    const res = await fetch(h.eventsUrl.replace('/slack/events', '/api/grants'), { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 404);
  });
});

describe('strangers cannot write the audit trail at will', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ adminToken: TOKEN });
  });
  after(async () => {
    await h.close();
  });

  test('200 unauthenticated GET /api/<15,000 characters>: one small audit event with the count, the path cut short', async () => {
    const base = h.eventsUrl.replace('/slack/events', '');
    const path = `/api/${'x'.repeat(15_000)}`;
    const bytes = () => h.sqlite.prepare('select coalesce(sum(length(subject_id) + length(details)), 0) from audit_events').pluck().get() as number;
    const before = bytes();
    for (let batch = 0; batch < 10; batch += 1) {
      const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}${path}`).then((res) => res.status)));
      assert.deepEqual(new Set(statuses), new Set([401]));
    }
    h.clock.advance(60_000);
    const [refused] = await eventually('the minute of refusals recorded', () => (refusedEvents(h).length > 0 ? refusedEvents(h) : undefined));
    assert.equal(refusedEvents(h).length, 1);
    assert.deepEqual([refused?.requests, refused?.first_path.length, refused?.path_truncated], [200, 200, true]);
    assert.match(String(refused?.remote_address), /127\.0\.0\.1/);
    assert.ok(bytes() - before < 1_000, `the audit trail grew by ${bytes() - before} bytes`);
  });
});
