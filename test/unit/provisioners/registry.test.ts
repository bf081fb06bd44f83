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

test('provisioner types that are not built yet are refused plainly at start-up', () => {
  const policy = policyWith('{ type: slack_usergroup, usergroup: S0ONCALL }');
  assert.throws(() => createProvisioners({ policy, policyDir: '/', env: {}, clock: systemClock }), /"slack_usergroup" is not available in this version/);
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
