import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { eventually, PAYMENTS_WITH_BREAK_GLASS as payments, startHarness, USERS, type Harness } from '../support/harness.js';

const count = (h: Harness, table: 'requests' | 'grants' | 'break_glass_uses') => h.count(table);
const lastAudit = (h: Harness, subjectId: string) =>
  h.sqlite.prepare('select action, actor, reason from audit_events where subject_id = ? order by seq desc limit 1').get(subjectId) as { action: string; actor: string; reason: string } | undefined;
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
    const request = h.sqlite.prepare('select status, decided_by from requests').get();
    assert.deepEqual(request, { status: 'approved', decided_by: 'jitbot' });
    assert.deepEqual(lastAudit(h, grantId), { action: 'grant.provisioned', actor: 'jitbot', reason: null });
    const used = h.sqlite.prepare("select actor, reason from audit_events where action = 'break_glass.used'").get();
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

/** pager: break-glass lasts at most 15 min; an approved grant up to 2 h. */
const pager = `
  pager:
    channel: C0PAGER
    approvers: [db-leads]
    max_duration: 2h
    max_extensions: 3
    break_glass: { allowed: true, eligible: [db-leads], max_duration: 15m }
`;
const MINUTE = 60_000;

describe('extending break-glass access', () => {
  let h: Harness;
  let grantId: string;
  before(async () => {
    h = await startHarness({ policyExtra: pager });
    const reply = await h.ask(USERS.lead, 'pager 10m --emergency pages are not going out');
    grantId = /grt-[0-9a-z]+/.exec(reply)?.[0] ?? '';
    await eventually('the grant to be provisioned', () => (h.grantById(grantId)?.provisioned_at ? true : undefined));
  });
  after(async () => {
    await h.close();
  });

  test('extends at once only within break_glass.max_duration, and the security channel is told', async () => {
    const before = await h.bot.store.findGrant(grantId);
    const { options, answer, text } = await h.extendBy(USERS.lead, grantId, 5 * MINUTE);
    assert.deepEqual(options, [5, 15, 30, 60, 120].map((m) => m * MINUTE), 'the 5 min left of break-glass at once; up to max_duration for the approvers');
    assert.match(text, /Break-glass access extends at once only within its 15 min/);
    assert.equal(answer.response_action, 'update');
    assert.equal(((await h.bot.store.findGrant(grantId))?.expiresAt ?? 0) - (before?.expiresAt ?? 0), 5 * MINUTE);
    const [note] = await eventually('the announcement', () => {
      const found = postsIn(h, 'C0SECURITY', /Break-glass access extended/);
      return found.length ? found : undefined;
    });
    assert.match(String(note?.args['text']), new RegExp(`🚨 Break-glass access extended: <@U0LEAD1> on pager, 5 min longer \\(grant \`${grantId}\`\\), at once within break-glass's 15 min`));
    const audit = h.sqlite.prepare("select details from audit_events where subject_id = ? and action = 'grant.extended'").pluck().get(grantId) as string;
    assert.equal(JSON.parse(audit).break_glass, true);
  });

  test('anything longer goes to the approvers, and their approval is announced too', async () => {
    const before = await h.bot.store.findGrant(grantId);
    const asked = await h.extendBy(USERS.lead, grantId, 60 * MINUTE);
    assert.deepEqual(asked.options, [15, 30, 60, 120].map((m) => m * MINUTE), 'nothing left at once');
    assert.equal(asked.answer.response_action, 'update');
    assert.equal((await h.bot.store.findGrant(grantId))?.expiresAt, before?.expiresAt, 'no longer without an approver');
    const request = await h.bot.store.pendingExtensionOf(grantId);
    assert.ok(request);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0PAGER' && JSON.stringify(c.args['blocks']).includes(request.id));

    await h.click(USERS.lead2, 'approve', request.id);
    await eventually('the extension', async () => (((await h.bot.store.findGrant(grantId))?.expiresAt ?? 0) > (before?.expiresAt ?? 0) ? true : undefined));
    const note = await eventually('the announcement', () => postsIn(h, 'C0SECURITY', /approved by <@U0LEAD2>/)[0]);
    assert.match(String(note.args['text']), new RegExp(`🚨 Break-glass access extended: <@U0LEAD1> on pager, 1 h longer \\(grant \`${grantId}\`\\), approved by <@U0LEAD2> \\(\`${request.id}\`\\)`));
  });

  test('Extend in App Home offers the same: nothing more at once, every choice for the approvers', async () => {
    const { triggerId } = await h.clickInHome(USERS.lead, 'extend', grantId);
    const form = await h.slack.waitForCall('views.open', (c) => c.args['trigger_id'] === triggerId);
    const options = (form.args['view'] as { blocks: { block_id?: string; element?: { options: { text: { text: string } }[] } }[] }).blocks.find((b) => b.block_id === 'by')?.element?.options.map((o) => o.text.text);
    assert.ok(options?.length && options.every((o) => o.endsWith('(approvers decide)')), String(options));
  });
});
