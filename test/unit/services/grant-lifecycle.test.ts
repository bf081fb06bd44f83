import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { createGrantLifecycle } from '../../../src/services/grant-lifecycle.js';
import type { GrantRow } from '../../../src/store/schema.js';
import type { Revocation } from '../../../src/store/store.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const quietLog = { debug() {}, info() {}, warn() {}, error() {} };

function grant(overrides: Partial<GrantRow>): GrantRow {
  return {
    id: 'grt-1', requestId: 'req-1', exceptionId: null, userId: 'U0ALICE', userEmail: null, resource: 'vpn', reason: 'why',
    grantedAt: NOW - 60_000, expiresAt: NOW - 1, status: 'active', provisionedAt: NOW - 59_000, provisionError: null,
    endRequestedReason: null, endRequestedBy: null, revokeReason: null, revokedAt: null, revokedBy: null, revokeError: null,
    ...overrides,
  };
}

async function revokeReasonOf(row: GrantRow): Promise<string | undefined> {
  const recorded: Revocation[] = [];
  const lifecycle = createGrantLifecycle({
    store: {
      findGrant: () => row,
      markProvisioned: () => undefined,
      markProvisionFailed: () => undefined,
      markRevokedMany: (revocations) => {
        recorded.push(...revocations);
        return revocations.map((r) => ({ ...row, status: 'revoked' as const, revokeReason: r.reason, revokedAt: r.at }));
      },
      markRevokeFailed: () => undefined,
      noteRevokeError: () => undefined,
    },
    provisionerFor: () => ({ type: 'none', apply: async () => undefined }),
    provisionerConcurrency: 1,
    notifier: { accessActive: async () => undefined, accessEnded: async () => undefined, provisioningFailed: async () => undefined, revocationFailed: async () => undefined, revocationRecovered: async () => undefined },
    metrics: { provisionerCall: () => undefined, revocationLateness: () => undefined },
    messages: { send: () => undefined },
    clock: { now: () => DateTime.fromMillis(NOW) },
    log: quietLog,
  });
  await lifecycle.revoke(row.id, { finalAttempt: false });
  return recorded[0]?.reason;
}

test('a grant that runs out is revoked as expired; a standing grant as exception_closed, whichever timer fires first', async () => {
  assert.equal(await revokeReasonOf(grant({})), 'expired');
  assert.equal(await revokeReasonOf(grant({ exceptionId: 'exc-1' })), 'expired', 'granted on request under an auto_approve exception: its own expiry');
  assert.equal(await revokeReasonOf(grant({ requestId: null, exceptionId: 'exc-1' })), 'exception_closed');
});
