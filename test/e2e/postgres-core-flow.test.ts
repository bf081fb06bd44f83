import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { dropPrefix } from '../support/redis-prefix.js';
import { eventually, exceptionIdIn, PAYMENTS_WITH_BREAK_GLASS, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';

const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;

/** wiki: engineers may ask security for an auto_approve opt-out exception. */
const wiki = (webhookUrl: string) => `
  wiki:
    channel: C0WIKI
    approvers: [db-leads]
    max_duration: 1h
    opt_out: { allowed: true, eligible: [engineers], approvers: [security], max_duration: 1d, mode: auto_approve }
    provisioner: { type: webhook, url: ${webhookUrl}, secret_env: PROD_DB_WEBHOOK_SECRET, timeout: 2s }
${PAYMENTS_WITH_BREAK_GLASS}`;

type Call = { args: Record<string, unknown> };
const textOf = (call: Call) => `${String(call.args['text'] ?? '')} ${JSON.stringify(call.args['blocks'] ?? [])}`;
const buttonsIn = (call: Call) =>
  ((call.args['blocks'] ?? []) as { elements?: { action_id?: string }[] }[]).flatMap((b) => b.elements ?? []).flatMap((e) => (e.action_id === undefined ? [] : [e.action_id]));
const auditActions = async (h: Harness, subjectId: string) =>
  (await h.read.rows<{ action: string }>('select action from audit_events where subject_id = ? order by seq', subjectId)).map((r) => r.action);
const statusOf = async (h: Harness, table: 'requests' | 'exceptions', id: string) => (await h.read.row<{ status: string }>(`select status from ${table} where id = ?`, id))?.status;

/** The CLI as a child process (the fake Slack in this process must stay free to answer). */
function jitbot(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', AUDIT_HMAC_KEY: TEST_AUDIT_KEY, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('the core flows on PostgreSQL', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ postgres: true, policyExtra: wiki });
  });
  after(async () => {
    await h.close();
  });

  test('runs on PostgreSQL, not SQLite', () => {
    assert.equal(h.bot.store.kind, 'postgres');
    assert.throws(() => h.sqlite, /runs on PostgreSQL/);
  });

  test('request → approve → provisioned by the webhook → revoked at expiry, once, with the DMs', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'prod-db 2s debugging INC-4211'));
    const posted = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0DBAPPROVALS' && textOf(c).includes(requestId));
    assert.deepEqual(buttonsIn(posted), ['approve', 'deny']);
    await h.click(USERS.lead, 'approve', requestId);
    await h.slack.waitForCall('chat.update', (c) => /Approved by <@U0LEAD1>/.test(textOf(c)) && textOf(c).includes(requestId));
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /approved your request/.test(String(c.args['text'])));

    const grant = await eventually('the grant provisioned', async () => {
      const row = await h.read.grantFor(requestId);
      return row?.provisioned_at ? row : undefined;
    });
    assert.equal(grant.expires_at - grant.granted_at, 2_000);
    const granted = h.webhook.deliveries.filter((d) => d.body.grant_id === grant.id && d.body.type === 'access.grant');
    assert.equal(granted.length, 1);
    assert.equal(granted[0]?.verified, true);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /is active until/.test(String(c.args['text'])));

    const revoked = await eventually('the grant revoked at expiry', async () => {
      const row = await h.read.grantById(grant.id);
      return row?.status === 'revoked' ? row : undefined;
    }, 8_000);
    assert.equal(revoked.revoke_reason, 'expired');
    assert.ok(revoked.revoked_at !== null && revoked.revoked_at >= revoked.expires_at, 'not revoked before expiry');
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /ended .*it expired/.test(String(c.args['text'])));
    const revokes = await eventually('the revoke webhook', () => {
      const found = h.webhook.deliveries.filter((d) => d.body.grant_id === grant.id && d.body.type === 'access.revoke');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(revokes[0]?.body.revoke_reason, 'expired');

    await new Promise((resolve) => setTimeout(resolve, 1_200)); // a sweep (reconcile_interval 1 s) later, still once
    assert.equal(h.webhook.deliveries.filter((d) => d.body.grant_id === grant.id && d.body.type === 'access.revoke').length, 1);
    assert.deepEqual(await auditActions(h, requestId), ['request.created', 'request.approval_recorded', 'request.approved']);
    assert.deepEqual(await auditActions(h, grant.id), ['grant.created', 'grant.provisioned', 'grant.revoked']);
  });

  test('opt-out: asked, approved by security, requests granted without approval while open, approval again once closed', async () => {
    const exceptionId = exceptionIdIn(await h.ask(USERS.alice, 'optout wiki 3s reorganising spaces'));
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && textOf(c).includes(exceptionId));
    await h.click(USERS.sec, 'approve', exceptionId);
    await eventually('the exception open', async () => ((await statusOf(h, 'exceptions', exceptionId)) === 'open' ? true : undefined));
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /approved your opt-out exception for \*wiki\*/.test(String(c.args['text'])));

    const reply = await h.ask(USERS.alice, 'wiki 30m tidy page tree');
    assert.match(reply, new RegExp(`Granted \\*wiki\\* for 30 min without approval, under your opt-out exception \`${exceptionId}\``));
    const autoApproved = requestIdIn(reply);
    const grant = await h.read.grantFor(autoApproved);
    assert.equal(grant?.status, 'active');
    assert.deepEqual(await h.read.row('select status, decided_by from requests where id = ?', autoApproved), { status: 'approved', decided_by: 'jitbot' });
    await eventually('the auto-approved grant delivered', () => h.webhook.deliveries.find((d) => d.body.request_id === autoApproved && d.body.exception_id === exceptionId));

    await eventually('the exception closed at its end', async () => ((await statusOf(h, 'exceptions', exceptionId)) === 'closed' ? true : undefined), 8_000);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /exception for \*wiki\* has closed; requests need approval again/.test(String(c.args['text'])));
    assert.deepEqual(await auditActions(h, exceptionId), ['exception.requested', 'exception.opened', 'exception.closed']);
    const afterClose = requestIdIn(await h.ask(USERS.alice, 'wiki 30m one more thing'));
    assert.equal(await h.read.grantFor(afterClose), undefined, 'once closed, requests need approval again');
    assert.equal(await statusOf(h, 'requests', afterClose), 'pending');
  });

  test('break-glass: granted at once, security alerted, acknowledged by security', async () => {
    const before = await h.read.count('grants');
    const reply = await h.ask(USERS.lead, 'payments 30m --emergency checkout is down');
    assert.match(reply, /Break-glass\*: access to \*payments\* for 30 min \(grant `grt-[0-9a-z]+`\), granted without approval/);
    const grantId = /grt-[0-9a-z]+/.exec(reply)?.[0] ?? '';
    assert.equal(await h.read.count('grants'), before + 1);
    await eventually('the grant provisioned', async () => ((await h.read.grantById(grantId))?.provisioned_at ? true : undefined));
    const alert = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && /Break-glass: <@U0LEAD1> has access to payments/.test(String(c.args['text'])));
    assert.deepEqual(buttonsIn(alert), ['acknowledge']);

    const refused = await h.click(USERS.lead2, 'acknowledge', grantId);
    assert.match(String((await h.slack.waitForResponse(refused.responseName)).body['text']), /Only the security team/);
    await h.click(USERS.sec, 'acknowledge', grantId);
    await h.slack.waitForCall('chat.update', (c) => c.args['channel'] === 'C0SECURITY' && /acknowledged by <@U0SEC1>/.test(String(c.args['text'])));
    const use = await h.read.row<{ acknowledged_by: string | null; acknowledged_at: number | null }>('select acknowledged_by, acknowledged_at from break_glass_uses where grant_id = ?', grantId);
    assert.equal(use?.acknowledged_by, USERS.sec);
    assert.equal(typeof use?.acknowledged_at, 'number');
    assert.equal((await auditActions(h, grantId)).filter((a) => a === 'break_glass.acknowledged').length, 1);
  });

  test('a restart with Redis emptied finds the pending work in PostgreSQL: a pending request, and a grant to revoke', async () => {
    const pending = requestIdIn(await h.ask(USERS.bob, 'prod-db 30m after the restart INC-12'));
    const expiring = requestIdIn(await h.ask(USERS.alice, 'prod-db 3s expires while down INC-13'));
    await h.click(USERS.lead, 'approve', expiring);
    const grant = await eventually('the grant provisioned', async () => {
      const row = await h.read.grantFor(expiring);
      return row?.provisioned_at ? row : undefined;
    });
    await h.restart({ whileDown: () => dropPrefix(h.prefix) });

    const revoked = await eventually('revoked after the restart', async () => {
      const row = await h.read.grantById(grant.id);
      return row?.status === 'revoked' ? row : undefined;
    }, 8_000);
    assert.equal(revoked.revoke_reason, 'expired');
    await h.click(USERS.lead2, 'approve', pending);
    await eventually('the pending request granted after the restart', async () => ((await h.read.grantFor(pending))?.provisioned_at ? true : undefined));
    assert.equal(await statusOf(h, 'requests', pending), 'approved');
  });

  test('jitbot audit verify, run with DATABASE_URL, finds the chain intact', async () => {
    const run = await jitbot(['audit', 'verify'], h.databaseEnv);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`audit chain OK: ${await h.read.count('audit_events')} events`));
  });
});
