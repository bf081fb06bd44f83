import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';

function counts(h: Harness) {
  const one = (sql: string) => h.sqlite.prepare(sql).pluck().get() as number;
  return { requests: one('select count(*) from requests'), audit: one('select count(*) from audit_events') };
}
/** The refusals written once their minute is over (the clock moved past it): one `request.refused` each. */
async function refusalsWritten(h: Harness, afterAudit: number, expected: number): Promise<string[]> {
  h.clock.advance(60_000);
  return eventually('the refusals recorded', () => {
    const rows = h.sqlite.prepare('select action, reason from audit_events order by seq limit -1 offset ?').all(afterAudit) as { action: string; reason: string }[];
    return rows.length >= expected ? rows.map((r) => `${r.action} ${r.reason}`) : undefined;
  }, 15_000);
}
const pendingOf = (h: Harness, userId: string, resource: string) =>
  h.sqlite.prepare("select count(*) from requests where requester_id = ? and resource = ? and status = 'pending'").pluck().get(userId, resource) as number;

describe('a flood of requests from one person stops at the pending limits', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ settings: { max_pending_per_resource: '3', max_pending_per_person: '4' } });
  });
  after(async () => {
    await h.close();
  });

  test('a burst of /request for one resource creates max_pending_per_resource requests; the rest are told why, and write nothing but their refusals, and post nothing', async () => {
    h.slack.reset();
    const before = counts(h);
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => h.ask(USERS.alice, `staging 10m flood ${i}`)));
    const asked = replies.filter((r) => /Asked for \*staging\*/.test(r));
    const refused = replies.filter((r) => /You already have 3 requests for staging waiting for approval, the most the access policy allows \(`settings\.max_pending_per_resource`\); nothing was requested/.test(r));
    assert.equal(asked.length, 3, replies.join('\n'));
    assert.equal(refused.length, 7, replies.join('\n'));
    assert.equal(pendingOf(h, USERS.alice, 'staging'), 3);
    assert.deepEqual(counts(h), { requests: before.requests + 3, audit: before.audit + 3 }, 'only the three requests and their request.created events');
    const posted = () => h.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === 'C0STAGING').length;
    await eventually('the three approval messages', () => (posted() >= 3 ? true : undefined), 20_000);
    assert.equal(posted(), 3, 'approvers see three, not ten');
    const audited = before.audit + 3;
    assert.deepEqual(await refusalsWritten(h, audited, 7), Array.from({ length: 7 }, () => 'request.refused pending_limit'));
    assert.equal(counts(h).requests, before.requests + 3, 'no request for the refused seven');
  });

  test('max_pending_per_person counts every resource; someone else is not held back; cancelling one makes room', async () => {
    const fourth = await h.ask(USERS.alice, 'prod-db 30m the real incident INC-88');
    assert.match(fourth, /Asked for \*prod-db\*/);
    const before = counts(h);
    const fifth = await h.ask(USERS.alice, 'prod-db 30m another INC-89');
    assert.match(fifth, /You already have 4 requests waiting for approval, the most the access policy allows \(`settings\.max_pending_per_person`\)/);
    assert.match(fifth, /`\/request list` shows them/);
    assert.deepEqual(await refusalsWritten(h, before.audit, 1), ['request.refused pending_limit'], 'nothing but the refusal written');
    assert.equal(counts(h).requests, before.requests, 'no request');

    assert.match(await h.ask(USERS.bob, 'staging 10m my own'), /Asked for \*staging\*/, 'the limits are per person');

    assert.match(await h.ask(USERS.alice, `cancel ${requestIdIn(fourth)}`), /Cancelled/);
    assert.match(await h.ask(USERS.alice, 'prod-db 30m another INC-89'), /Asked for \*prod-db\*/);
  });
});
