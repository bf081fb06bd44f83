import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually, exceptionIdIn, requestIdIn, SIGNING_SECRET, startHarness, testPolicy, USERS, type Harness } from '../support/harness.js';
import { TEST_REDIS_URL } from '../support/redis-prefix.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;
const vpn = `
  vpn:
    channel: C0VPN
    approvers: [db-leads]
    max_duration: 1h
    opt_out: { allowed: true, approvers: [security], max_duration: 1d, mode: standing }
`;

const grants = (h: Harness, where: string, ...params: string[]) =>
  h.sqlite.prepare(`select id, status, revoke_reason, revoked_by from grants where ${where} order by id`).all(...params) as { id: string; status: string; revoke_reason: string | null; revoked_by: string | null }[];

describe('incident revoke-all', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ policyExtra: vpn });
    // Fifty grants on prod-db across five people, written as approvals would write them.
    const now = h.clock.now().toMillis();
    for (let i = 0; i < 50; i += 1) {
      const request = await h.bot.store.createRequest({ id: `req-seed${i}`, requesterId: `U0SEED${i % 5}`, resource: 'prod-db', durationMs: 3_600_000, reason: `INC-${i}`, policyVersion: 'seed', createdAt: now });
      await h.bot.store.approve({
                requestId: request.id,
                approverId: USERS.lead,
                at: now,
                stages: [{ approvers: [USERS.lead], approvalsRequired: 1 }],
                approverStages: new Set([0]),
                selfApproval: false,
                maxExtensions: 2,
                newGrant: (r) => ({ id: `grt-seed${i}`, requestId: r.id, userId: r.requesterId, resource: r.resource, reason: r.reason, grantedAt: now, expiresAt: now + 3_600_000 }),
              });
    }
    const staging = requestIdIn(await h.ask(USERS.alice, 'staging 30m deploy'));
    await h.click(USERS.sec, 'approve', staging);
    await eventually('alice’s staging grant', () => h.grantFor(staging));
    const exception = exceptionIdIn(await h.ask(USERS.alice, 'optout vpn 4h travelling'));
    await h.click(USERS.sec, 'approve', exception);
    await eventually('alice’s standing vpn grant', () => (grants(h, "resource = 'vpn' and status = 'active'").length === 1 ? true : undefined));
  });
  after(async () => {
    await h.close();
  });

  test('the security team may revoke any one grant, not only the resource’s approvers; others may not', async () => {
    assert.match(await h.ask(USERS.bob, 'revoke grt-seed0'), /Only approvers of prod-db or the security team may revoke/);
    await h.ask(USERS.sec, 'revoke grt-seed0');
    await eventually('grt-seed0 revoked by security', () => (h.grantById('grt-seed0')?.status === 'revoked' ? true : undefined));
    assert.deepEqual(grants(h, 'id = ?', 'grt-seed0').map((g) => [g.revoke_reason, g.revoked_by]), [['revoked', USERS.sec]]);
    const details = h.sqlite.prepare("select details from audit_events where subject_id = 'grt-seed0' and action = 'grant.revoked'").pluck().get() as string;
    assert.match(details, /"still_covered_by":"grt-seed\d+"/, 'U0SEED0 holds other prod-db grants, so the provisioner keeps the access');
  });

  test('refused outside the security team and for a malformed command: an audit event, nothing ended', async () => {
    assert.match(await h.ask(USERS.lead, 'revoke-all --resource prod-db leaked credentials'), /Only the security team .* may revoke everything at once; nothing changed/);
    assert.match(await h.ask(USERS.sec, 'revoke-all'), /Say what to revoke: `revoke-all --resource &lt;name&gt; \| --user &lt;@person or U…&gt; \| --all &lt;reason…&gt;`/);
    assert.match(await h.ask(USERS.sec, 'revoke-all --resource prod-db'), /Say why/);
    assert.equal(grants(h, "status = 'active' and end_requested_reason is not null").length, 0);
    assert.equal(h.sqlite.prepare("select count(*) from audit_events where action = 'revoke_all.refused'").pluck().get(), 1);
  });

  test('/request revoke-all --resource: every grant on it ends at once, the others stay, and security is told', async () => {
    const reply = await h.ask(USERS.sec, 'revoke-all --resource prod-db leaked credentials INC-77');
    assert.match(reply, /Revoke-all: all access to prod-db\. 49 grant\(s\) and 0 opt-out exception\(s\) are being revoked now/);
    await eventually('every prod-db grant revoked', () => (grants(h, "resource = 'prod-db' and status != 'revoked'").length === 0 ? true : undefined), 15_000);
    assert.ok(grants(h, "resource = 'prod-db'").every((g) => g.revoke_reason === 'revoked' && g.revoked_by === USERS.sec));
    assert.equal(grants(h, "resource = 'prod-db'").length, 50);
    // grt-seed0's own revoke called no webhook: U0SEED0's other grants still gave the access then.
    assert.equal((await h.webhook.waitForDeliveries(49, 10_000)).filter((d) => d.body.type === 'access.revoke').length, 49);
    assert.equal(grants(h, "resource = 'staging' and status = 'active'").length, 1, 'other resources keep their access');
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && /Revoke-all\* by <@U0SEC1>: all access to prod-db\. 49 grant/.test(String(c.args['text'])));
    const event = h.sqlite.prepare("select actor, reason, details from audit_events where action = 'incident.revoke_all'").get() as { actor: string; reason: string; details: string };
    assert.deepEqual([event.actor, event.reason, (JSON.parse(event.details) as { grants: number }).grants], [USERS.sec, 'leaked credentials INC-77', 49]);
  });

  test('jitbot revoke-all --user from the bot’s host ends that person’s grants and exceptions and reports the counts', async () => {
    const policyPath = join(h.dir, 'policy.yaml');
    writeFileSync(policyPath, testPolicy(h.webhook.url, vpn));
    const env = {
      PATH: process.env['PATH'] ?? '',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      AUDIT_HMAC_KEY: TEST_AUDIT_KEY,
      SLACK_API_URL: h.slack.apiUrl,
      ...h.databaseEnv,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: h.prefix,
      POLICY_PATH: policyPath,
    };
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, ['--import', 'tsx', CLI, 'revoke-all', '--user', USERS.alice, '--reason', 'laptop stolen'], { cwd: ROOT, env }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^revoked: 2 grant\(s\), 1 exception\(s\) \(all access of U0ALICE\)$/m, 'the staging grant and the standing vpn grant; and the exception');
    await eventually('alice’s access to end', () => (grants(h, 'user_id = ? and status != ?', USERS.alice, 'revoked').length === 0 ? true : undefined), 10_000);
    assert.deepEqual(h.sqlite.prepare('select status, close_reason from exceptions where user_id = ?').get(USERS.alice), { status: 'closed', close_reason: 'revoked' });
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && /Revoke-all\* by `cli:[^`]+`: all access of <@U0ALICE>/.test(String(c.args['text'])));
  });
});
