import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicy } from '../../../src/config/load-policy.js';
import { unworkableApprovals } from '../../../src/domain/approval-feasibility.js';

const { policy } = parsePolicy(
  `approver_groups:
  security: { usergroup: S0SEC }
  oncall: { usergroup: S0ONCALL }
resources:
  vault: { channel: C0V, max_duration: 1h, approvers: [security, U0LEAD1], approvals_required: 3 }
  solo: { channel: C0V, max_duration: 1h, approvers: [security], requesters: [oncall] }
`,
  'p.yaml',
);
const vault = policy.resources['vault'];
const solo = policy.resources['solo'];

test('with a user group’s members read, too few approvers is found; unread, nothing is claimed', () => {
  assert.ok(vault && solo);
  assert.deepEqual(unworkableApprovals(policy, 'vault', vault), []);
  assert.deepEqual(unworkableApprovals(policy, 'vault', vault, new Map([['S0SEC', ['U0SEC1']]])), [
    { severity: 'error', path: ['resources', 'vault', 'approvals_required'], message: 'approvals_required is 3, but only 2 people could approve: U0LEAD1, U0SEC1' },
  ]);
  assert.deepEqual(unworkableApprovals(policy, 'vault', vault, new Map([['S0SEC', ['U0SEC1', 'U0SEC2', 'U0LEAD1']]])), []);
});

test('a requester read from a user group who is its only approver is a warning while others may ask, an error when nobody else may', () => {
  assert.ok(solo);
  assert.deepEqual(unworkableApprovals(policy, 'solo', solo), [], 'the groups unread, nothing is claimed');
  const message = 'a request by U0SEC1 could never be approved: approvals_required is 1, the requester never approves their own (self_approval is false), and nobody else could approve';
  assert.deepEqual(unworkableApprovals(policy, 'solo', solo, new Map([['S0SEC', ['U0SEC1']], ['S0ONCALL', ['U0SEC1']]])), [
    { severity: 'error', path: ['resources', 'solo', 'requesters'], message },
  ]);
  assert.deepEqual(unworkableApprovals(policy, 'solo', solo, new Map([['S0SEC', ['U0SEC1']], ['S0ONCALL', ['U0SEC1', 'U0DEV']]])), [
    { severity: 'warning', path: ['resources', 'solo', 'requesters'], message },
  ]);
});
