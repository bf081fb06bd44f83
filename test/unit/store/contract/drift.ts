import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DriftFinding } from '../../../../src/domain/drift.js';
import { actions, ALICE, approvedGrant, auditEvents, MINUTE, T0, type Fresh } from './harness.js';

const unmanaged = (identity: string): DriftFinding => ({ kind: 'unmanaged', identity, grantId: null, userId: null });

export function driftCases(fresh: Fresh): void {
  describe('drift', () => {
    test('a finding is new once, seen again after that, and resolved as gone when no longer seen', async () => {
      const { store } = await fresh();
      const grant = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      const missing: DriftFinding = { kind: 'missing', identity: 'alice', grantId: grant.id, userId: ALICE };
      const sync = (findings: DriftFinding[], at: number) => store.syncDrift({ target: 'pg-main', resource: 'prod-db', findings, at });

      const first = await sync([unmanaged('mallory'), missing], T0 + MINUTE);
      assert.deepEqual(first.found.map((f) => [f.kind, f.identity, f.foundAt]), [['unmanaged', 'mallory', T0 + MINUTE], ['missing', 'alice', T0 + MINUTE]]);
      assert.deepEqual([first.still, first.gone], [[], []]);
      const second = await sync([unmanaged('mallory')], T0 + 2 * MINUTE);
      assert.deepEqual([second.found, second.still.map((f) => f.identity), second.gone.map((f) => [f.identity, f.resolution])], [[], ['mallory'], [['alice', 'gone']]]);
      assert.deepEqual((await store.openDriftFindings()).map((f) => [f.identity, f.lastSeenAt]), [['mallory', T0 + 2 * MINUTE]]);
      assert.deepEqual((await auditEvents(store, { subjectId: 'mallory' })).map((e) => [e.action, e.subjectType]), [['drift.unmanaged', 'user']]);
      assert.deepEqual(await actions(store, grant.id), ['grant.created', 'drift.missing', 'drift.resolved']);
    });

    test('another target’s findings are its own', async () => {
      const { store } = await fresh();
      await store.syncDrift({ target: 'pg-main', resource: 'prod-db', findings: [unmanaged('mallory')], at: T0 });
      const other = await store.syncDrift({ target: 'pg-replica', resource: 'prod-db', findings: [], at: T0 + MINUTE });
      assert.deepEqual(other, { found: [], still: [], gone: [] });
      assert.equal((await store.openDriftFindings()).length, 1);
    });

    test('alerted is remembered; unmanaged access jitbot removed is resolved once, audited', async () => {
      const { store } = await fresh();
      const { found } = await store.syncDrift({ target: 'pg-main', resource: 'prod-db', findings: [unmanaged('mallory')], at: T0 });
      const [finding] = found;
      assert.ok(finding);
      await store.markDriftAlerted(finding.id, T0 + 1_000);
      assert.equal((await store.openDriftFindings())[0]?.alertedAt, T0 + 1_000);
      const removed = await store.driftRemoved(finding.id, T0 + MINUTE);
      assert.deepEqual([removed?.resolution, removed?.resolvedAt], ['revoked', T0 + MINUTE]);
      assert.equal(await store.driftRemoved(finding.id, T0 + 2 * MINUTE), undefined);
      assert.deepEqual(await store.openDriftFindings(), []);
      assert.deepEqual((await auditEvents(store, { subjectId: 'mallory' })).map((e) => e.action), ['drift.unmanaged', 'drift.revoked']);
    });
  });
}
