import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, SIGNING_SECRET, startHarness, USERS, type Harness } from '../support/harness.js';
import { signedPost, slashCommandBody } from '../support/slack-requests.js';

function counts(h: Harness) {
  const one = (sql: string) => (h.sqlite.prepare(sql).get() as { n: number }).n;
  return { requests: one('select count(*) n from requests'), grants: one('select count(*) n from grants'), audit: one('select count(*) n from audit_events') };
}

/**
 * A refused request writes no request and no grant: only one `request.refused` audit event,
 * once its minute is over (repeats within a minute share it). `code` undefined: not even that.
 */
async function onlyTheRefusalWritten(h: Harness, before: ReturnType<typeof counts>, code: string | undefined): Promise<void> {
  const { requests, grants } = counts(h);
  assert.deepEqual({ requests, grants }, { requests: before.requests, grants: before.grants }, 'no request, no grant');
  if (code === undefined) {
    assert.deepEqual(counts(h), before, 'no rows written');
    return;
  }
  h.clock.advance(60_000);
  const written = await eventually('the refusal recorded', () => {
    const rows = h.sqlite.prepare('select action, reason from audit_events order by seq limit -1 offset ?').all(before.audit) as { action: string; reason: string }[];
    return rows.length > 0 ? rows : undefined;
  }, 15_000);
  assert.deepEqual(written, [{ action: 'request.refused', reason: code }], 'one request.refused event and nothing else');
}

describe('bad input gets a clear answer and writes nothing but the refusal', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const cases: [string, string, RegExp, string | undefined][] = [
    ['an unknown resource', 'prod-dbx 30m fix INC-1', /no resource called "prod-dbx".*prod-db, staging/, 'unknown_resource'],
    ['a duration that is not one', 'prod-db 3x fix INC-1', /"3x" is not a duration.*30m/, 'bad_duration'],
    ['a zero duration', 'prod-db 0m fix INC-1', /grants nothing/, 'bad_duration'],
    ['a negative duration', 'prod-db -30m fix INC-1', /negative/, 'bad_duration'],
    ['a duration over max_duration', 'prod-db 3h fix INC-1', /at most 2 h.*2h or less/, 'over_max_duration'],
    ['a missing reason', 'prod-db 30m', /say why you need access/, 'bad_reason'],
    ['a reason without the required pattern', 'prod-db 30m just because', /INC-\[0-9\]\+/, 'bad_reason'],
    ['a missing duration where there is no default', 'prod-db fix INC-1', /Say how long/, 'no_duration'],
    ['a subcommand missing its argument', 'cancel', /takes one request ID/, undefined],
  ];
  for (const [what, text, expected, code] of cases) {
    test(`${what} is refused with a message saying how to fix it`, async () => {
      const before = counts(h);
      h.slack.reset();
      const reply = await h.ask(USERS.alice, text);
      assert.match(reply, expected);
      await onlyTheRefusalWritten(h, before, code);
      assert.equal(h.slack.callsTo('chat.postMessage').length, 0, 'no approval message posted');
    });
  }

  // staging has default_duration 30m, so without this rule each would ask for 30 min with the length as the reason.
  for (const meant of ['forever', 'permanent', 'indefinitely', '1 hour', '2days', '90', '-5m', '1.5h', 'P1D']) {
    test(`a length jitbot cannot read ("staging ${meant} reason") is refused with the lengths it reads and the limit, and nothing but the refusal is written`, async () => {
      const before = counts(h);
      h.slack.reset();
      const reply = await h.ask(USERS.alice, `staging ${meant} reason`);
      assert.match(reply, new RegExp(`"${meant.replace('.', '\\.')}" is (not a duration|negative)`));
      assert.match(reply, /`30m`, `2h`, `1h30m` or `1d` \(staging allows at most 1 h\)/);
      await onlyTheRefusalWritten(h, before, 'bad_duration');
      assert.equal(h.slack.callsTo('chat.postMessage').length, 0, 'no approval message posted');
    });
  }

  test('leaving the length out with a plain reason still asks for the default length', async () => {
    const reply = await h.ask(USERS.alice, 'staging debugging INC-4211');
    const requestId = /req-[0-9a-z]+/.exec(reply)?.[0];
    assert.ok(requestId, reply);
    const row = h.sqlite.prepare('select duration_ms, reason from requests where id = ?').get(requestId) as { duration_ms: number; reason: string };
    assert.deepEqual(row, { duration_ms: 30 * 60_000, reason: 'debugging INC-4211' });
  });

  test('someone not in requesters is refused and nothing but the refusal is written', async () => {
    const before = counts(h);
    h.slack.reset();
    const reply = await h.ask(USERS.outsider, 'prod-db 30m curious INC-3');
    assert.match(reply, /not on the list of people who may request prod-db/);
    await onlyTheRefusalWritten(h, before, 'not_a_requester');
    assert.equal(h.slack.callsTo('chat.postMessage').length, 0);
  });

  test('a Slack error while reading an approver group fails closed: the click changes nothing', async () => {
    const requestId = /req-[0-9a-z]+/.exec(await h.ask(USERS.alice, 'staging 10m check'))?.[0] ?? '';
    h.slack.failNext('usergroups.users.list', { error: 'no_such_subteam' }, 5);
    const click = await h.click(USERS.sec, 'approve', requestId);
    const refusal = await h.slack.waitForResponse(click.responseName);
    assert.match(String(refusal.body['text']), /could not check your approver rights with Slack \(user group S0SECURITY: no_such_subteam\)/);
    const status = h.sqlite.prepare('select status from requests where id = ?').get(requestId) as { status: string };
    assert.equal(status.status, 'pending', 'a Slack failure never approves');
  });

  test('a forged signature is rejected with 401 and nothing happens', async () => {
    const before = counts(h);
    const body = slashCommandBody({ text: 'prod-db 30m forged INC-1', userId: USERS.alice, responseUrl: h.slack.responseUrl('forged') });
    const res = await signedPost(h.eventsUrl, SIGNING_SECRET, body, 'application/x-www-form-urlencoded', { signature: 'v0=' + 'ab'.repeat(32) });
    assert.equal(res.status, 401);
    const wrongSecret = await signedPost(h.eventsUrl, 'not-the-secret', body, 'application/x-www-form-urlencoded');
    assert.equal(wrongSecret.status, 401);
    assert.deepEqual(counts(h), before);
  });

  test('a replayed request with a stale timestamp is rejected with 401', async () => {
    const body = slashCommandBody({ text: 'prod-db 30m replay INC-1', userId: USERS.alice, responseUrl: h.slack.responseUrl('stale') });
    const res = await signedPost(h.eventsUrl, SIGNING_SECRET, body, 'application/x-www-form-urlencoded', { timestamp: Math.floor(Date.now() / 1000) - 600 });
    assert.equal(res.status, 401);
  });

  test('help lists the commands and the resources', async () => {
    const reply = await h.ask(USERS.alice, 'help');
    assert.match(reply, /\/request list/);
    assert.match(reply, /\*prod-db\* \(up to 2h\)/);
  });

  test('/healthz answers 200 with SQLite and Redis named', async () => {
    const res = await fetch(h.eventsUrl.replace('/slack/events', '/healthz'));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', checks: { sqlite: 'ok', redis: 'ok' } });
  });
});
