import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../../src/config/errors.js';
import { parsePolicy } from '../../../src/config/load-policy.js';
import { systemClock } from '../../../src/domain/clock.js';
import { createProvisioners } from '../../../src/provisioners/registry.js';

const policyWith = (provisioner: string) =>
  parsePolicy(`resources:\n  prod-db:\n    channel: C0DB\n    approvers: [U0LEAD]\n    max_duration: 1h\n    provisioner: ${provisioner}\n`, 'test.yaml').policy;

test('a webhook whose secret variable is unset stops start-up naming the key and the variable', () => {
  const policy = policyWith('{ type: webhook, url: "https://hooks.example/x", secret_env: HOOK_SECRET }');
  assert.throws(
    () => createProvisioners({ policy, policyDir: '/etc/jitbot', env: {}, clock: systemClock }),
    (error: unknown) => error instanceof ConfigError && /resources\.prod-db\.provisioner\.secret_env: environment variable HOOK_SECRET is not set/.test(error.message),
  );
  const built = createProvisioners({ policy, policyDir: '/etc/jitbot', env: { HOOK_SECRET: 'x' }, clock: systemClock });
  assert.equal(built.get('prod-db')?.type, 'webhook');
});

test('a pass_env variable that is unset stops start-up naming it', () => {
  const policy = policyWith('{ type: command, run: [./bin/vpn], pass_env: [VPN_KEY] }');
  assert.throws(() => createProvisioners({ policy, policyDir: '/etc/jitbot', env: {}, clock: systemClock }), /pass_env: environment variable VPN_KEY is not set/);
});

test('slack_usergroup without a Slack client, and postgres without its connection variable, stop start-up plainly', () => {
  const usergroup = policyWith('{ type: slack_usergroup, usergroup: S0ONCALL }');
  assert.throws(() => createProvisioners({ policy: usergroup, policyDir: '/', env: {}, clock: systemClock }), /slack_usergroup needs SLACK_BOT_TOKEN/);
  const postgres = policyWith('{ type: postgres, connection_env: PROD_DB_ADMIN_URL, role: app_rw, login: email_localpart }');
  assert.throws(() => createProvisioners({ policy: postgres, policyDir: '/', env: {}, clock: systemClock }), /resources\.prod-db\.provisioner\.connection_env: environment variable PROD_DB_ADMIN_URL is not set/);
  const built = createProvisioners({ policy: postgres, policyDir: '/', env: { PROD_DB_ADMIN_URL: 'postgres://x@127.0.0.1/db' }, clock: systemClock });
  assert.equal(built.get('prod-db')?.type, 'postgres');
  assert.equal(built.get('prod-db')?.target, 'postgres:PROD_DB_ADMIN_URL:app_rw');
});

test('a relative command resolves against the policy file folder', async () => {
  const policy = policyWith('{ type: command, run: [./missing-tool, --flag] }');
  const provisioner = createProvisioners({ policy, policyDir: '/etc/jitbot-test-dir', env: { PATH: '/usr/bin' }, clock: systemClock }).get('prod-db');
  assert.ok(provisioner);
  await assert.rejects(
    provisioner.apply({ type: 'access.grant', grant_id: 'g', request_id: 'r', exception_id: null, resource: 'prod-db', user: { slack_id: 'U', email: null }, granted_at: '', expires_at: '', reason: '', revoke_reason: null }),
    /cannot run \/etc\/jitbot-test-dir\/missing-tool/,
  );
});
