import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicy } from '../../../src/config/load-policy.js';
import { describePolicyChange } from '../../../src/domain/policy-diff.js';

const policy = (extra: { groups?: string; prodDb?: string; more?: string; settings?: string }) =>
  parsePolicy(
    `
settings:
  timezone: UTC
${extra.settings ?? ''}
approver_groups:
  db-leads: { users: [${extra.groups ?? 'U0LEAD1, U0LEAD2'}] }
resources:
  prod-db:
    channel: C0DB
    approvers: [db-leads]
    max_duration: 2h
${extra.prodDb ?? ''}
${extra.more ?? ''}
`,
    'p.yaml',
  ).policy;

test('a policy change reads as what changed: resources, approvers, limits, groups, settings', () => {
  const before = policy({ more: '  wiki:\n    channel: C0WIKI\n    approvers: [U0X]\n    max_duration: 1h' });
  const after = policy({
    groups: 'U0LEAD1, U0NEW',
    prodDb: '    requesters: [U0DEV]\n    escalation: { after: 15m, to: [U0SEC] }',
    more: '  vault:\n    channel: C0VAULT\n    approvers: [U0X]\n    max_duration: 30m',
    settings: '  pending_timeout: 4h',
  });
  assert.deepEqual(describePolicyChange(before, after), [
    'resources: +vault -wiki',
    'resources.prod-db.requesters: +U0DEV',
    'resources.prod-db.escalation: null → {"after":"15m","to":["U0SEC"]}',
    'approver_groups.db-leads: +U0NEW -U0LEAD2',
    'settings.pending_timeout: "1d" → "4h"',
  ]);
  assert.deepEqual(describePolicyChange(before, before), []);
});

test('every resource key is compared, not only a listed few: raising max_extensions is announced', () => {
  const before = policy({});
  const after = policy({ prodDb: '    max_extensions: 5\n    description: Production' });
  assert.deepEqual(describePolicyChange(before, after), ['resources.prod-db.description: "" → "Production"', 'resources.prod-db.max_extensions: 2 → 5']);
});
