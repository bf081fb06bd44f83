import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { parseEnv } from '../../../src/config/env.js';
import { ConfigError } from '../../../src/config/errors.js';
import { parsePolicy } from '../../../src/config/load-policy.js';
import { createJitbot } from '../../../src/jitbot.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';

const policy = (auditWebhook: string) => `
settings:
  audit_webhook: ${auditWebhook}
resources:
  wiki: { channel: C0WIKI, approvers: [U0LEAD1], max_duration: 1h }
`;

test('audit_webhook is validated like a webhook provisioner', () => {
  assert.equal(parsePolicy(policy('{ url: "https://siem.example/hooks", secret_env: SIEM_SECRET }'), 'p.yaml').policy.settings.audit_webhook?.timeout.toMillis(), 10_000);
  assert.throws(() => parsePolicy(policy('{ url: "ftp://siem", secret_env: SIEM_SECRET }'), 'p.yaml'), /settings\.audit_webhook\.url: expected an http\(s\) URL/);
  assert.throws(() => parsePolicy(policy('{ url: "https://siem", secret: plain }'), 'p.yaml'), /audit_webhook/);
});

test('a missing audit_webhook secret stops start-up naming the variable, before anything is opened', async () => {
  const make = () =>
    createJitbot({
      env: parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', AUDIT_HMAC_KEY: TEST_AUDIT_KEY, DATABASE_PATH: '/nonexistent/never-created.sqlite' }),
      policy: parsePolicy(policy('{ url: "https://siem.example/hooks", secret_env: SIEM_SECRET }'), 'p.yaml'),
      policyDir: '.',
      secrets: {},
      logger: pino({ level: 'silent' }),
    });
  await assert.rejects(make, (error: unknown) => error instanceof ConfigError && /settings\.audit_webhook\.secret_env: environment variable SIEM_SECRET is not set/.test(error.message));
});
