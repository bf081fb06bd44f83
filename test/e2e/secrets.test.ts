import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SlackCall } from '../support/fake-slack.js';
import { eventually, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';

const ADMIN_TOKEN = 'admin-token-for-the-secrets-test-0123456789';
const textOf = (call: SlackCall) => `${String(call.args['text'])} ${JSON.stringify(call.args['blocks'] ?? [])}`;

/** Credentials in the webhook's URL, a key in its query, and secrets in the receiver's answer and the program's stderr. */
const URL_SECRETS = ['hunter2', 's3cret'];
const BODY = '{"error":"upstream refused","client_secret":"b0dy-s3cret","retry_with":"postgres://app:b0dy-pw@db.internal/x"}';
const BODY_SECRETS = ['b0dy-s3cret', 'b0dy-pw'];
const STDERR_SECRETS = ['stderr-pw', 'stderr-kw'];

/** Every place a secret could reach: Slack (DMs, channels, updates), /api/grants, the audit trail, the bot's logs. */
async function everythingSaid(h: Harness): Promise<string> {
  const api = await fetch(h.eventsUrl.replace('/slack/events', '/api/grants'), { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.equal(api.status, 200);
  const audit = h.sqlite.prepare('select * from audit_events').all();
  const grants = h.sqlite.prepare('select provision_error, revoke_error from grants').all();
  return [JSON.stringify(h.slack.calls), await api.text(), JSON.stringify(audit), JSON.stringify(grants), JSON.stringify(h.logs)].join('\n');
}

function assertNowhere(said: string, secrets: readonly string[]) {
  for (const secret of secrets) {
    const at = said.indexOf(secret);
    assert.equal(at, -1, `"${secret}" reached: …${said.slice(Math.max(0, at - 200), at + 100)}…`);
  }
}

describe('secrets in a failing provisioner reach no message, no API answer, no audit event and no log line', () => {
  let h: Harness;
  let dir: string;
  let hookUrl = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jitbot-secrets-'));
    const program = join(dir, 'vpn-access');
    writeFileSync(program, '#!/bin/sh\necho "login failed at mysql://root:stderr-pw@vpn-db.internal/acl; password=stderr-kw" >&2\nexit 1\n');
    chmodSync(program, 0o755);
    h = await startHarness({
      retry: { attempts: 2, backoffMs: 300 },
      captureLogs: true,
      adminToken: ADMIN_TOKEN,
      policyExtra: (webhookUrl) => {
        hookUrl = webhookUrl;
        return `
  hooked:
    channel: C0DBAPPROVALS
    approvers: [db-leads]
    max_duration: 2h
    provisioner: { type: webhook, url: "${webhookUrl.replace('http://', 'http://svc:hunter2@')}?code=s3cret", secret_env: PROD_DB_WEBHOOK_SECRET, timeout: 2s }
  vpn:
    channel: C0DBAPPROVALS
    approvers: [db-leads]
    max_duration: 2h
    provisioner: { type: command, run: [${program}], timeout: 5s }
`;
      },
    });
  });
  after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Asks, approves, and waits until jitbot has given up and told the requester and security. */
  async function failedSetup(resource: string): Promise<string> {
    const requestId = requestIdIn(await h.ask(USERS.alice, `${resource} 30m onboarding`));
    await h.click(USERS.lead, 'approve', requestId);
    const grant = await eventually('the grant', () => h.grantFor(requestId));
    await eventually('provision_failed', () => (h.grantById(grant.id)?.status === 'provision_failed' ? true : undefined), 15_000);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /could not be set up/.test(textOf(c)) && textOf(c).includes(grant.id), 10_000);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && textOf(c).includes(grant.id) && /jitbot has stopped trying/.test(textOf(c)), 10_000);
    return grant.id;
  }

  test('a webhook whose URL holds credentials and a key, answering with secrets in its body', async () => {
    h.webhook.respondWith(500, 2, BODY);
    const grantId = await failedSetup('hooked');
    const said = await everythingSaid(h);
    assertNowhere(said, [...URL_SECRETS, ...BODY_SECRETS]);

    const alert = h.slack.callsTo('chat.postMessage').find((c) => c.args['channel'] === 'C0SECURITY' && textOf(c).includes(grantId));
    assert.ok(alert && textOf(alert).includes(`webhook: HTTP 500 from ${hookUrl}: {"error":"upstream refused"`), 'security reads the URL as origin and path, and the answer redacted');
    const dms = h.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === USERS.alice && textOf(c).includes(grantId));
    assert.ok(dms.length >= 2, 'told at the first failure and when jitbot gave up');
    for (const dm of dms) {
      assert.match(textOf(dm), /the security team has the details/);
      assert.ok(!textOf(dm).includes('HTTP 500') && !textOf(dm).includes('upstream refused'), 'the requester is not shown what the receiver said');
    }
    const event = h.sqlite.prepare("select reason from audit_events where subject_id = ? and action = 'grant.provision_failed'").pluck().get(grantId);
    assert.match(String(event), /^webhook: HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/hooks\/access: /, 'the audit trail keeps what happened');
  });

  test('a command whose stderr holds a connection string and a password', async () => {
    const grantId = await failedSetup('vpn');
    assertNowhere(await everythingSaid(h), STDERR_SECRETS);
    const stored = h.sqlite.prepare('select provision_error from grants where id = ?').pluck().get(grantId);
    assert.match(String(stored), /exited with code 1: login failed at mysql:\/\/vpn-db\.internal\/acl; password=\[redacted\]$/);
  });
});
