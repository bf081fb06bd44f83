import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { eventually, PAYMENTS_WITH_BREAK_GLASS as payments, startHarness, USERS, type Harness } from '../support/harness.js';

const count = (h: Harness, table: 'requests' | 'grants' | 'break_glass_uses') => h.count(table);
const lastAudit = (h: Harness, subjectId: string) =>
  h.bot.database.sqlite.prepare('select action, actor, reason from audit_events where subject_id = ? order by seq desc limit 1').get(subjectId) as { action: string; actor: string; reason: string } | undefined;
const postsIn = (h: Harness, channel: string, pattern: RegExp) => h.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === channel && pattern.test(String(c.args['text'])));
const buttonsOf = (call: { args: Record<string, unknown> }) =>
  ((call.args['blocks'] ?? []) as { elements?: { action_id?: string; value?: string }[] }[]).flatMap((b) => b.elements ?? []).filter((e) => e.action_id !== undefined);

describe('break-glass', () => {
  let h: Harness;
  let grantId: string;
  before(async () => {
    h = await startHarness({ policyExtra: payments });
  });
  after(async () => {
    await h.close();
  });

  test('refused where the resource allows none, and for people who are not eligible: an audit event, nothing else', async () => {
    assert.match(await h.ask(USERS.lead, 'prod-db 30m --emergency db is down'), /prod-db does not allow break-glass access, so `--emergency` cannot be used for it/);
    assert.deepEqual(lastAudit(h, USERS.lead), { action: 'break_glass.refused', actor: USERS.lead, reason: 'resource' });
    assert.match(await h.ask(USERS.alice, 'payments 30m --emergency db is down'), /You are not eligible for break-glass access to payments/);
    assert.deepEqual(lastAudit(h, USERS.alice), { action: 'break_glass.refused', actor: USERS.alice, reason: 'not_eligible' });
    assert.deepEqual([count(h, 'requests'), count(h, 'grants'), count(h, 'break_glass_uses')], [0, 0, 0]);
  });

  test('granted at once, capped at the break-glass maximum, with a loud alert in the security and resource channels', async () => {
    const reply = await h.ask(USERS.lead, 'payments 3h --emergency checkout is down, no ticket yet');
    assert.match(reply, /🚨 \*Break-glass\*: access to \*payments\* for 1 h \(grant `grt-[0-9a-z]+`\), granted without approval/);
    assert.match(reply, /You asked for 3 h; break-glass on payments lasts at most 1 h/);
    assert.match(reply, /Security is alerted in <#C0SECURITY>/);
    grantId = /grt-[0-9a-z]+/.exec(reply)?.[0] ?? '';
    const grant = await eventually('the grant to be provisioned', () => (h.grantById(grantId)?.provisioned_at ? h.grantById(grantId) : undefined));
    assert.equal((grant?.expires_at ?? 0) - (grant?.granted_at ?? 0), 3_600_000);
    for (const channel of ['C0SECURITY', 'C0PAY']) {
      const [alert] = postsIn(h, channel, /Break-glass: <@U0LEAD1> has access to payments for 1 h without approval/);
      assert.ok(alert, `alerted in ${channel}`);
      assert.deepEqual(buttonsOf(alert).map((b) => [b.action_id, b.value]), [['acknowledge', grantId]]);
    }
    assert.equal(h.slack.callsTo('chat.postMessage').filter((c) => buttonsOf(c).some((b) => b.action_id === 'approve')).length, 0, 'nobody is asked to approve');
    const request = h.bot.database.sqlite.prepare('select status, decided_by from requests').get();
    assert.deepEqual(request, { status: 'approved', decided_by: 'jitbot' });
    assert.deepEqual(lastAudit(h, grantId), { action: 'grant.provisioned', actor: 'jitbot', reason: null });
    const used = h.bot.database.sqlite.prepare("select actor, reason from audit_events where action = 'break_glass.used'").get();
    assert.deepEqual(used, { actor: USERS.lead, reason: 'checkout is down, no ticket yet' });
  });

  test('only the security team may acknowledge; until then the use is on every review', async () => {
    const { responseName } = await h.click(USERS.lead2, 'acknowledge', grantId);
    assert.match(String((await h.slack.waitForResponse(responseName)).body['text']), /Only the security team .* may acknowledge break-glass use; nothing changed/);
    assert.deepEqual(lastAudit(h, grantId), { action: 'decision.refused', actor: USERS.lead2, reason: 'not_security' });
    assert.match(await h.ask(USERS.sec, 'review'), /Security review/);
    const review = await h.slack.waitForCall('chat.postMessage', (c) => String(c.args['text']).startsWith('Security review'));
    assert.match(JSON.stringify(review.args['blocks']), /Unacknowledged break-glass\*\\n1/);
    assert.match(JSON.stringify(review.args['blocks']), new RegExp(`${grantId}.*checkout is down`));
  });

  test('unacknowledged after an hour, it is posted again and the security team is DMed, once', async () => {
    h.clock.advance(61 * 60_000);
    await eventually('the reminder', () => postsIn(h, 'C0SECURITY', /Still unacknowledged after an hour/)[0]);
    await eventually('the DM to the security team', () => postsIn(h, USERS.sec, /still unacknowledged after an hour: <@U0LEAD1> on \*payments\*/)[0]);
    await sleep(2_500); // a few more sweeps
    assert.equal(postsIn(h, 'C0SECURITY', /Still unacknowledged after an hour/).length, 1);
    assert.equal(postsIn(h, USERS.sec, /still unacknowledged/).length, 1);
  });

  test('acknowledged by security: both alerts say so, a second click changes nothing, and reviews drop it', async () => {
    await h.click(USERS.sec, 'acknowledge', grantId);
    for (const channel of ['C0SECURITY', 'C0PAY']) {
      await h.slack.waitForCall('chat.update', (c) => c.args['channel'] === channel && /acknowledged by <@U0SEC1>/.test(String(c.args['text'])));
    }
    assert.equal(lastAudit(h, grantId)?.action, 'break_glass.acknowledged');
    const { responseName } = await h.click(USERS.sec, 'acknowledge', grantId);
    assert.match(String((await h.slack.waitForResponse(responseName)).body['text']), /already acknowledged by <@U0SEC1>/);
    await h.ask(USERS.sec, 'review');
    const reviews = h.slack.callsTo('chat.postMessage').filter((c) => String(c.args['text']).startsWith('Security review'));
    assert.match(JSON.stringify(reviews.at(-1)?.args['blocks']), /Unacknowledged break-glass\*\\n0/);
  });
});
