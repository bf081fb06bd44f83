import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareAccess, type HeldGrant } from '../../../src/domain/drift.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const held = (id: string, identity: string, over: Partial<HeldGrant> = {}): HeldGrant => ({
  id, userId: `U-${identity}`, identity, status: 'active', provisionedAt: NOW - 60_000, endRequested: false, expiresAt: NOW + 60_000, ...over,
});

test('a holder no grant explains is unmanaged; a provisioned grant whose holder lacks the access is missing', () => {
  const grants = [held('g1', 'alice'), held('g2', 'bob')];
  assert.deepEqual(compareAccess({ actual: ['alice', 'mallory', 'app'], before: grants, after: grants, now: NOW }), [
    { kind: 'unmanaged', identity: 'app', grantId: null, userId: null },
    { kind: 'unmanaged', identity: 'mallory', grantId: null, userId: null },
    { kind: 'missing', identity: 'bob', grantId: 'g2', userId: 'U-bob' },
  ]);
  assert.deepEqual(compareAccess({ actual: ['alice', 'bob'], before: grants, after: grants, now: NOW }), []);
});

test('grants changing while the provisioner was read are not drift', () => {
  // Granted between the reads: its holder is explained by the second read.
  assert.deepEqual(compareAccess({ actual: ['carol'], before: [], after: [held('g3', 'carol')], now: NOW }), []);
  // Revoked between the reads: explained by the first read, and not missing since it is gone from the second.
  assert.deepEqual(compareAccess({ actual: ['dan'], before: [held('g4', 'dan')], after: [], now: NOW }), []);
  assert.deepEqual(compareAccess({ actual: [], before: [held('g4', 'dan')], after: [], now: NOW }), []);
});

test('grants not provisioned yet, ending, overdue or failing to revoke are never missing', () => {
  const cases = [
    held('g1', 'a', { provisionedAt: null }),
    held('g2', 'b', { endRequested: true }),
    held('g3', 'c', { expiresAt: NOW - 1 }),
    held('g4', 'd', { status: 'revoke_failed' }),
    held('g5', 'e', { identity: undefined }),
  ];
  assert.deepEqual(compareAccess({ actual: [], before: cases, after: cases, now: NOW }), []);
});
