import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';

/** vault: two db-leads, then security; billing: one db-lead, escalated to U0SEC1, with a confirm dialog. */
const chains = `
  vault:
    channel: C0VAULT
    requesters: [engineers]
    max_duration: 1h
    stages:
      - { approvers: [db-leads], approvals_required: 2 }
      - { approvers: [security], approvals_required: 1 }
  billing:
    channel: C0BILL
    approvers: [db-leads]
    max_duration: 1h
    confirm_approval: true
    escalation: { after: 15m, to: [${USERS.sec}] }
  oncall-db:
    channel: C0ONCALL
    approvers: [db-leads]
    requesters: [security]
    max_duration: 1h
`;

type Call = { args: Record<string, unknown> };
const textOf = (c: Call) => `${String(c.args['text'] ?? '')} ${JSON.stringify(c.args['blocks'] ?? [])}`;
const status = async (h: Harness, id: string) => (await h.bot.store.findRequest(id))?.status;
const auditActions = (h: Harness, id: string) => h.sqlite.prepare('select action from audit_events where subject_id = ? order by seq').pluck().all(id) as string[];

async function clickReply(h: Harness, userId: string, action: string, value: string): Promise<string | undefined> {
  const { responseName } = await h.click(userId, action, value);
  const response = await h.slack.waitForResponse(responseName, () => true, 1_500).catch(() => undefined);
  return response ? String(response.body['text']) : undefined;
}

describe('approval chains, escalation and approver identity', () => {
  let h: Harness;
  before(async () => {
    // usergroup_cache 0: group membership and deactivation are read afresh on every click.
    h = await startHarness({ policyExtra: chains, settings: { usergroup_cache: '0s' } });
  });
  after(async () => {
    await h.close();
  });

  test('a two-stage chain: two distinct db-leads, then security; the message shows progress and security is told when it is their turn', async () => {
    const id = requestIdIn(await h.ask(USERS.alice, 'vault 30m rotate the root key'));
    await h.click(USERS.lead, 'approve', id);
    const progress = await h.slack.waitForCall('chat.update', (c) => c.args['channel'] === 'C0VAULT' && /1 of 2 from db-leads ⏳ waiting \(<@U0LEAD1> so far\)/.test(textOf(c)));
    assert.match(textOf(progress), /0 of 1 from security · later/);
    assert.match(await clickReply(h, USERS.lead, 'approve', id) ?? '', /You already approved this request; a second approval from you does not count/);
    assert.match(await clickReply(h, USERS.sec, 'approve', id) ?? '', /not an approver for this request/, 'security cannot skip stage 1');
    await h.click(USERS.lead2, 'approve', id);
    const turn = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0VAULT' && c.args['thread_ts'] !== undefined && /Stage 2 of 2: <!subteam\^S0SECURITY>, your approval is needed/.test(textOf(c)));
    assert.equal(turn.args['thread_ts'], (await h.bot.store.findRequest(id))?.approvalTs);
    assert.equal(await status(h, id), 'pending');
    await h.click(USERS.sec, 'approve', id);
    await eventually('the grant', () => h.grantFor(id));
    assert.equal(await status(h, id), 'approved');
    assert.deepEqual((await h.bot.store.approvalsOf(id)).map((a) => [a.approverId, a.stage]), [[USERS.lead, 0], [USERS.lead2, 0], [USERS.sec, 1]]);
  });

  test('one deny at stage 2 ends the request: no grant', async () => {
    const id = requestIdIn(await h.ask(USERS.alice, 'vault 30m read the audit key'));
    await h.click(USERS.lead, 'approve', id);
    await h.click(USERS.lead2, 'approve', id);
    await eventually('stage 2', async () => ((await h.bot.store.approvalsOf(id)).length === 2 ? true : undefined));
    await h.click(USERS.sec, 'deny', id);
    await eventually('the denial', async () => ((await status(h, id)) === 'denied' ? true : undefined));
    assert.equal(h.grantFor(id), undefined);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /denied your request for \*vault\*/.test(String(c.args['text'])));
  });

  test('confirm_approval puts Slack’s confirm dialog on Approve', async () => {
    const id = requestIdIn(await h.ask(USERS.alice, 'billing 10m refund INC-9'));
    const post = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0BILL' && textOf(c).includes(id));
    const buttons = ((post.args['blocks'] ?? []) as { elements?: { action_id?: string; confirm?: { title: { text: string } } }[] }[]).flatMap((b) => b.elements ?? []);
    assert.equal(buttons.find((b) => b.action_id === 'approve')?.confirm?.title.text, 'Approve access?');
    assert.equal(buttons.find((b) => b.action_id === 'deny')?.confirm, undefined);
    await h.click(USERS.lead, 'deny', id);
  });

  test('escalation: a delayed job adds the escalation approvers after silence, tells them, and they may decide', async () => {
    const id = requestIdIn(await h.ask(USERS.alice, 'billing 10m chargeback INC-10'));
    assert.match(await clickReply(h, USERS.sec, 'approve', id) ?? '', /not an approver/, 'not before the escalation');
    const job = await h.bot.accessQueue.queue.getJob(`escalate-${id}`);
    assert.ok(job, 'the escalation waits as a delayed job');
    assert.ok((await job.getState()) === 'delayed');
    h.clock.advance(15 * 60_000); // its moment: a job promoted before it would only wait again
    await job.promote();
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0BILL' && c.args['thread_ts'] !== undefined && /escalated: <@U0SEC1> may now approve or deny it/.test(textOf(c)));
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.sec && /has been waiting for access to \*billing\*/.test(String(c.args['text'])));
    assert.ok(auditActions(h, id).includes('request.escalated'));
    await h.click(USERS.sec, 'approve', id);
    await eventually('the approval by the escalation approver', async () => ((await status(h, id)) === 'approved' ? true : undefined));
  });

  test('any decision cancels the escalation; the sweep escalates one whose timer was lost', async () => {
    const decided = requestIdIn(await h.ask(USERS.alice, 'billing 10m invoice fix INC-11'));
    assert.ok(await h.bot.accessQueue.queue.getJob(`escalate-${decided}`));
    await h.click(USERS.lead, 'deny', decided);
    await eventually('the escalation job to go', async () => ((await h.bot.accessQueue.queue.getJob(`escalate-${decided}`)) ? undefined : true));

    const lost = requestIdIn(await h.ask(USERS.alice, 'billing 10m payout stuck INC-12'));
    await h.bot.accessQueue.queue.remove(`escalate-${lost}`);
    h.clock.advance(16 * 60_000);
    await eventually('the sweep to escalate it', async () => ((await h.bot.store.findRequest(lost))?.escalatedAt ? true : undefined));
    assert.equal((await h.bot.store.findRequest(decided))?.escalatedAt, null, 'a decided request is never escalated');
  });

  test('requesters from a Slack user group are read live; a Slack failure refuses the request, never allows it', async () => {
    assert.match(await h.ask(USERS.alice, 'oncall-db 10m page INC-15'), /not on the list of people who may request oncall-db/);
    assert.match(await h.ask(USERS.sec, 'oncall-db 10m page INC-15'), /Asked for \*oncall-db\*/);
    h.slack.failNext('usergroups.users.list', { error: 'fatal_error' }, 1);
    const before = h.sqlite.prepare('select count(*) from requests').pluck().get();
    assert.match(await h.ask(USERS.sec, 'oncall-db 10m page again INC-16'), /could not check with Slack whether you may request oncall-db .*Nothing was requested/);
    assert.equal(h.sqlite.prepare('select count(*) from requests').pluck().get(), before);
    h.slack.setUsergroup('S0SECURITY', [USERS.sec, USERS.alice]);
    assert.match(await h.ask(USERS.alice, 'oncall-db 10m joined the rota INC-17'), /Asked for \*oncall-db\*/, 'membership changes are seen without a restart');
    h.slack.setUsergroup('S0SECURITY', [USERS.sec]);
  });

  test('a deactivated approver’s click counts for nothing, and they get no DMs', async () => {
    h.slack.addUser({ id: USERS.lead2, deleted: true });
    const id = requestIdIn(await h.ask(USERS.alice, 'billing 10m deactivated check INC-13'));
    assert.match(await clickReply(h, USERS.lead2, 'approve', id) ?? '', /not an approver/);
    assert.equal(await status(h, id), 'pending');
    assert.ok(auditActions(h, id).includes('decision.refused'));

    const asked = requestIdIn(await h.ask(USERS.outsider, 'billing 10m last day INC-14'));
    h.slack.addUser({ id: USERS.outsider, deleted: true });
    await h.click(USERS.lead, 'deny', asked);
    await h.slack.waitForCall('chat.update', (c) => c.args['channel'] === 'C0BILL' && textOf(c).includes(asked) && /Denied/.test(textOf(c)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(h.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === USERS.outsider).length, 0);
  });
});

describe('lapse', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ settings: { pending_timeout: '2h' } });
  });
  after(async () => {
    await h.close();
  });

  test('a request unanswered for pending_timeout lapses: buttons gone, requester told, audited; a late click only explains', async () => {
    const id = requestIdIn(await h.ask(USERS.alice, 'prod-db 30m slow query INC-20'));
    h.clock.advance(2 * 3_600_000 + 5_000);
    await eventually('the lapse', async () => ((await h.bot.store.findRequest(id))?.status === 'lapsed' ? true : undefined));
    const update = await h.slack.waitForCall('chat.update', (c) => c.args['channel'] === 'C0DBAPPROVALS' && /Lapsed: nobody decided in time/.test(textOf(c)));
    assert.doesNotMatch(JSON.stringify(update.args['blocks']), /"action_id":"approve"/);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /lapsed: nobody decided in time/.test(String(c.args['text'])));
    assert.ok(auditActions(h, id).includes('request.lapsed'));
    assert.match(await clickReply(h, USERS.lead, 'approve', id) ?? '', /already lapsed; nothing changed/);
    assert.equal(h.grantFor(id), undefined);
  });
});
