import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainPolicy, policyWarnings } from '../../../src/config/explain-policy.js';
import { parsePolicy } from '../../../src/config/load-policy.js';

test('policy check explains chains, escalation, break-glass and who each notification reaches', () => {
  const { policy } = parsePolicy(
    `
settings: { security_channel: C0SEC, security_team: [U0CISO] }
approver_groups:
  db-leads: { users: [U0LEAD1, U0LEAD2] }
  security: { usergroup: S0SECURITY }
resources:
  vault:
    channel: C0VAULT
    max_duration: 1h
    self_approval: true
    confirm_approval: true
    stages:
      - { approvers: [db-leads], approvals_required: 2 }
      - { approvers: [security, U0CISO] }
    escalation: { after: 15m, to: [U0CISO] }
    break_glass: { allowed: true, eligible: [db-leads], max_duration: 30m }
    revoke_unmanaged: true
`,
    'p.yaml',
  );
  assert.deepEqual(explainPolicy(policy).slice(1), [
    'security team: U0CISO (1 person: U0CISO); alerts in C0SEC',
    'vault',
    '  who may request: anyone in the workspace',
    '  stage 1 of 2: 2 approval(s) from db-leads (2 people: U0LEAD1, U0LEAD2); told by the approval message in C0VAULT',
    '  stage 2 of 2: 1 approval(s) from security, U0CISO (1 person: U0CISO; everyone in Slack user group S0SECURITY, read live); told by a reply in its thread mentioning them',
    '  limits: up to 1h; reason required; the requester may approve their own; Approve asks for confirmation',
    '  extensions: at most 2 per grant; within 1h in all at once, longer ones decided by the approvers like a request',
    '  escalation: unanswered after 15m, U0CISO (1 person: U0CISO) may decide too (DM and thread reply)',
    '  break-glass: up to 30m, by db-leads (2 people: U0LEAD1, U0LEAD2); alert in C0SEC and C0VAULT',
    '  provisioner: none; access held without a grant is removed',
  ]);
});

test('policy check says when a resource allows no extensions', () => {
  const { policy } = parsePolicy('resources:\n  kiosk: { channel: C0K, approvers: [U0A], max_duration: 30m, max_extensions: 0 }\n', 'p.yaml');
  assert.ok(explainPolicy(policy).includes('  extensions: none (`max_extensions: 0`)'));
});

test('policy check warns where a login is an email local part of any domain, and not where email_domain limits it', () => {
  const pg = (extra: string) => `{ type: postgres, connection_env: PG_URL, role: app, ${extra} }`;
  const { policy } = parsePolicy(
    `resources:
  open-db: { channel: C0A, approvers: [U0A], max_duration: 1h, provisioner: ${pg('login: email_localpart')} }
  closed-db: { channel: C0A, approvers: [U0A], max_duration: 1h, provisioner: ${pg('login: email_localpart, email_domain: example.com')} }
  mapped-db: { channel: C0A, approvers: [U0A], max_duration: 1h, provisioner: ${pg('login: { U0ALICE: alice }')} }
`,
    'p.yaml',
  );
  assert.deepEqual(policyWarnings(policy), [
    'resources.open-db.provisioner: login: email_localpart without email_domain maps an email of any domain to a login: someone whose Slack email is app_devs@anything gets the login app_devs. Set email_domain to your own domain(s).',
  ]);
});

test('policy check warns where some requesters could never have a request approved, while others could', () => {
  const { policy } = parsePolicy(
    `approver_groups:
  db-leads: { users: [U0LEAD1, U0LEAD2] }
resources:
  vault: { channel: C0V, max_duration: 1h, requesters: [U0ALICE, U0LEAD1], approvers: [db-leads], approvals_required: 2 }
`,
    'p.yaml',
  );
  assert.deepEqual(policyWarnings(policy), [
    'resources.vault.requesters: a request by U0LEAD1 could never be approved: approvals_required is 2, the requester never approves their own (self_approval is false), and only 1 other person could approve: U0LEAD2',
  ]);
});
