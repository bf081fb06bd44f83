import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { createGrantLifecycle } from '../../../src/services/grant-lifecycle.js';
import type { GrantRecord } from '../../../src/domain/records.js';
import type { Revocation } from '../../../src/store/store.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const quietLog = { debug() {}, info() {}, warn() {}, error() {} };

function grant(overrides: Partial<GrantRecord>): GrantRecord {
  return {
    id: 'grt-1', requestId: 'req-1', exceptionId: null, userId: 'U0ALICE', userEmail: null, resource: 'vpn', reason: 'why',
    grantedAt: NOW - 60_000, expiresAt: NOW - 1, status: 'active', provisionedAt: NOW - 59_000, provisionError: null,
    endRequestedReason: null, endRequestedBy: null, endRequestedAt: null, revokeReason: null, revokedAt: null, revokedBy: null, revokeError: null,
    revokeAlertedAt: null, revokeAlertChannel: null, revokeAlertTs: null, revokeClaimedBy: null, revokeClaimUntil: null, warnedAt: null, extensions: 0,
    ...overrides,
  };
}

/** Revokes `row` while `others` are the person's active grants; resources map to provisioner targets. */
async function revokeAmong(row: GrantRecord, others: readonly GrantRecord[] = [], targets: Record<string, string> = {}) {
  const recorded: Revocation[] = [];
  const applied: string[] = [];
  const lifecycle = createGrantLifecycle({
    store: {
      findGrant: async () => row,
      findRequest: async () => undefined,
      markGrantWarned: async () => undefined,
      outlastingGrantsOf: async (_userId: string, now: number, exceptId: string) =>
        [row, ...others].filter((g) => g.id !== exceptId && g.status === 'active' && g.endRequestedReason === null && g.expiresAt > now),
      markProvisioned: async () => undefined,
      markProvisionFailed: async () => undefined,
      markRevokedMany: async (revocations) => {
        recorded.push(...revocations);
        return revocations.map((r) => ({ ...row, status: 'revoked' as const, revokeReason: r.reason, revokedAt: r.at }));
      },
      markRevokeFailed: async () => undefined,
      noteRevokeError: async () => undefined,
      claimRevokeAlert: async () => undefined,
      setRevokeAlertMessage: async () => undefined,
      claimRevocation: async () => ({ kind: 'claimed', grant: row }),
      releaseRevocationClaim: async () => undefined,
    },
    provisionerFor: (resource) => ({ type: 'none', target: targets[resource], apply: async (event) => void applied.push(`${event.type} ${event.grant_id}`) }),
    provisionerConcurrency: 1,
    replicaId: 'replica-a',
    warningLeadMs: () => 10 * 60_000,
    notifier: { accessActive: async () => undefined, accessEndingSoon: async () => undefined, accessExtended: async () => undefined, accessEnded: async () => undefined, provisioningFailing: async () => undefined, provisioningFailed: async () => undefined, provisioningRecovered: async () => undefined, revocationFailing: async () => undefined, revocationRecovered: async () => undefined },
    metrics: { provisionerCall: () => undefined, revocationLateness: () => undefined },
    messages: { send: () => undefined },
    clock: { now: () => DateTime.fromMillis(NOW) },
    log: quietLog,
  });
  await lifecycle.revoke(row.id, { finalAttempt: false });
  return { recorded, applied };
}

const revokeReasonOf = async (row: GrantRecord) => (await revokeAmong(row)).recorded[0]?.reason;

test('a grant is revoked at the provisioner only when no other live grant gives the same access', async () => {
  const ending = grant({ id: 'grt-a' });
  const later = grant({ id: 'grt-b', expiresAt: NOW + 3_600_000 });
  const covered = await revokeAmong(ending, [later]);
  assert.deepEqual(covered.applied, [], 'the provisioner is not asked to revoke');
  assert.deepEqual([covered.recorded[0]?.reason, covered.recorded[0]?.coveredBy], ['expired', 'grt-b'], 'the grant itself still ends, noting what covers it');

  const sameRole = await revokeAmong(ending, [grant({ id: 'grt-c', resource: 'vpn-admin', expiresAt: NOW + 60_000 })], { vpn: 'pg:role', 'vpn-admin': 'pg:role' });
  assert.deepEqual(sameRole.applied, [], 'another resource with the same target covers too');
  const otherTarget = await revokeAmong(ending, [grant({ id: 'grt-c', resource: 'wiki', expiresAt: NOW + 60_000 })]);
  assert.deepEqual(otherTarget.applied, ['access.revoke grt-a']);

  const bothOver = await revokeAmong(ending, [grant({ id: 'grt-d', expiresAt: NOW - 5 })]);
  assert.deepEqual(bothOver.applied, ['access.revoke grt-a'], 'grants ending together both revoke: neither covers the other');
  const released = await revokeAmong(ending, [grant({ id: 'grt-e', expiresAt: NOW + 60_000, endRequestedReason: 'released' })]);
  assert.deepEqual(released.applied, ['access.revoke grt-a'], 'a grant that is ending covers nothing');
});

test('a grant that runs out is revoked as expired; a standing grant as exception_closed, whichever timer fires first', async () => {
  assert.equal(await revokeReasonOf(grant({})), 'expired');
  assert.equal(await revokeReasonOf(grant({ exceptionId: 'exc-1' })), 'expired', 'granted on request under an auto_approve exception: its own expiry');
  assert.equal(await revokeReasonOf(grant({ requestId: null, exceptionId: 'exc-1' })), 'exception_closed');
});

test('what is stored, audited and told of a failed setup or revocation is redacted, whatever the provisioner threw', async () => {
  const seen: string[] = [];
  const note = (error: string) => void seen.push(error);
  const failing = grant({ provisionedAt: null, expiresAt: NOW + 60_000 });
  let current = failing;
  const lifecycle = createGrantLifecycle({
    store: {
      findGrant: async () => current,
      findRequest: async () => undefined,
      markGrantWarned: async () => undefined,
      outlastingGrantsOf: async () => [],
      markProvisioned: async () => undefined,
      markProvisionFailed: async (_id, error) => (note(error), failing),
      markRevokedMany: async () => [],
      markRevokeFailed: async (_id, error) => (note(error), { ...failing, status: 'revoke_failed' as const }),
      noteRevokeError: async (_id, error) => note(error),
      claimRevokeAlert: async () => failing,
      setRevokeAlertMessage: async () => undefined,
      claimRevocation: async () => ({ kind: 'claimed', grant: current }),
      releaseRevocationClaim: async () => undefined,
    },
    provisionerFor: () => ({ type: 'module', apply: async () => Promise.reject(new Error('cannot reach https://idp:hunter2@idp.internal/scim?key=s3cret')) }),
    provisionerConcurrency: 1,
    replicaId: 'replica-a',
    warningLeadMs: () => 10 * 60_000,
    notifier: {
      accessActive: async () => undefined, accessEndingSoon: async () => undefined, accessExtended: async () => undefined, accessEnded: async () => undefined,
      provisioningFailing: async (_g, error) => note(error), provisioningFailed: async (_g, error) => note(error), provisioningRecovered: async () => undefined,
      revocationFailing: async (_g, error) => (note(error), undefined), revocationRecovered: async () => undefined,
    },
    metrics: { provisionerCall: () => undefined, revocationLateness: () => undefined },
    messages: { send: () => undefined },
    clock: { now: () => DateTime.fromMillis(NOW) },
    log: quietLog,
  });
  await assert.rejects(lifecycle.provision(failing.id, { finalAttempt: true }));
  current = { ...failing, endRequestedReason: 'revoked', endRequestedBy: 'U0SEC1', endRequestedAt: NOW };
  await assert.rejects(lifecycle.revoke(failing.id, { finalAttempt: true }));
  assert.ok(seen.length >= 4, seen.join('\n'));
  for (const error of seen) assert.equal(error, 'cannot reach https://idp.internal/scim');
});

test('a revocation another replica has claimed waits until its claim ends; a failed attempt gives the claim up', async () => {
  const due = grant({});
  const applied: string[] = [];
  const claims: string[] = [];
  let claim: 'mine' | 'theirs' = 'theirs';
  let failing = false;
  const lifecycle = createGrantLifecycle({
    store: {
      findGrant: async () => due,
      findRequest: async () => undefined,
      markGrantWarned: async () => undefined,
      outlastingGrantsOf: async () => [],
      markProvisioned: async () => undefined,
      markProvisionFailed: async () => undefined,
      markRevokedMany: async (revocations) => revocations.map((r) => ({ ...due, status: 'revoked' as const, revokeReason: r.reason, revokedAt: r.at })),
      markRevokeFailed: async () => undefined,
      noteRevokeError: async () => undefined,
      claimRevokeAlert: async () => undefined,
      setRevokeAlertMessage: async () => undefined,
      claimRevocation: async (_id, { holder, until }) => {
        claims.push(`claim ${holder} until ${until - NOW}`);
        return claim === 'mine' ? { kind: 'claimed', grant: due } : { kind: 'held', by: 'replica-b', until: NOW + 5_000 };
      },
      releaseRevocationClaim: async (_id, holder) => void claims.push(`release ${holder}`),
    },
    provisionerFor: () => ({
      type: 'none',
      apply: async (event) => {
        if (failing) throw new Error('provisioner down');
        applied.push(event.type);
      },
    }),
    provisionerConcurrency: 1,
    replicaId: 'replica-a',
    warningLeadMs: () => 10 * 60_000,
    notifier: { accessActive: async () => undefined, accessEndingSoon: async () => undefined, accessExtended: async () => undefined, accessEnded: async () => undefined, provisioningFailing: async () => undefined, provisioningFailed: async () => undefined, provisioningRecovered: async () => undefined, revocationFailing: async () => undefined, revocationRecovered: async () => undefined },
    metrics: { provisionerCall: () => undefined, revocationLateness: () => undefined },
    messages: { send: () => undefined },
    clock: { now: () => DateTime.fromMillis(NOW) },
    log: quietLog,
  });
  assert.deepEqual(await lifecycle.revoke(due.id, { finalAttempt: false }), { kind: 'not_due', dueAt: NOW + 5_000 });
  assert.deepEqual(applied, [], 'the provisioner is left to the claim holder');
  claim = 'mine';
  failing = true;
  await assert.rejects(lifecycle.revoke(due.id, { finalAttempt: false }));
  failing = false;
  assert.deepEqual((await lifecycle.revoke(due.id, { finalAttempt: false })).kind, 'revoked');
  assert.deepEqual(applied, ['access.revoke']);
  assert.deepEqual(claims, ['claim replica-a until 60000', 'claim replica-a until 60000', 'release replica-a', 'claim replica-a until 60000']);
});
