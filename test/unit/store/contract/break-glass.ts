import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RequestRecord } from '../../../../src/domain/records.js';
import { newId } from '../../../../src/store/ids.js';
import type { Store } from '../../../../src/store/store.js';
import { actions, ALICE, auditEvents, BOB, MINUTE, newRequest, SEC1, T0, type Fresh } from './harness.js';

const grantOf = (approved: RequestRecord) => ({
  id: newId('grt'),
  requestId: approved.id,
  userId: approved.requesterId,
  resource: approved.resource,
  reason: approved.reason,
  grantedAt: approved.createdAt,
  expiresAt: approved.createdAt + approved.durationMs,
});

const breakGlass = (store: Store, createdAt: number, requesterId = ALICE) =>
  store.grantBreakGlass(newRequest({ createdAt, requesterId, reason: 'prod down INC-7' }), { incident: 'INC-7' }, grantOf);

export function breakGlassCases(fresh: Fresh): void {
  describe('break-glass', () => {
    test('the request approved by jitbot, its grant and the use to acknowledge are written together, each audited', async () => {
      const { store } = await fresh();
      const { request, grant, use } = await breakGlass(store, T0);
      assert.deepEqual([request.status, request.decidedBy, grant.requestId, use.grantId, use.requestId, use.acknowledgedAt], ['approved', 'jitbot', request.id, grant.id, request.id, null]);
      assert.deepEqual(await store.findBreakGlass(grant.id), use);
      assert.deepEqual(await actions(store, request.id, grant.id), ['request.created', 'request.approved', 'grant.created', 'break_glass.used']);
      const [approved] = await auditEvents(store, { action: 'request.approved' });
      assert.deepEqual([approved?.reason, JSON.parse(approved?.details ?? '{}')], ['break_glass', { incident: 'INC-7' }]);
    });

    test('acknowledged once, audited with how long it took; no reminder after that', async () => {
      const { store } = await fresh();
      const { grant } = await breakGlass(store, T0);
      assert.deepEqual((await store.unacknowledgedBreakGlass()).map((u) => u.grantId), [grant.id]);
      const acknowledged = await store.acknowledgeBreakGlass(grant.id, SEC1, T0 + 5 * MINUTE);
      assert.deepEqual([acknowledged?.acknowledgedBy, acknowledged?.acknowledgedAt], [SEC1, T0 + 5 * MINUTE]);
      assert.equal(await store.acknowledgeBreakGlass(grant.id, SEC1, T0 + 6 * MINUTE), undefined);
      assert.equal(await store.markBreakGlassReminded(grant.id, T0 + 7 * MINUTE), undefined);
      assert.deepEqual(await store.unacknowledgedBreakGlass(), []);
      const [event] = await auditEvents(store, { action: 'break_glass.acknowledged' });
      assert.deepEqual(JSON.parse(event?.details ?? '{}'), { after_ms: 5 * MINUTE });
    });

    test('reminded once; the reminder timers and the sweep see only uses neither reminded nor acknowledged', async () => {
      const { store } = await fresh();
      const first = await breakGlass(store, T0);
      const second = await breakGlass(store, T0 + MINUTE, BOB);
      assert.deepEqual(await store.breakGlassAwaitingReminder(-1, '', 10), [{ id: first.grant.id, createdAt: T0 }, { id: second.grant.id, createdAt: T0 + MINUTE }]);
      assert.deepEqual(await store.breakGlassAwaitingReminder(T0, first.grant.id, 10), [{ id: second.grant.id, createdAt: T0 + MINUTE }]);
      assert.deepEqual((await store.breakGlassDueForReminder(T0, 10)).map((u) => u.grantId), [first.grant.id]);
      assert.equal((await store.markBreakGlassReminded(first.grant.id, T0 + 30 * MINUTE))?.remindedAt, T0 + 30 * MINUTE);
      assert.equal(await store.markBreakGlassReminded(first.grant.id, T0 + 31 * MINUTE), undefined);
      assert.deepEqual((await store.breakGlassDueForReminder(T0 + MINUTE, 10)).map((u) => u.grantId), [second.grant.id]);
      assert.deepEqual((await store.unacknowledgedBreakGlass()).map((u) => u.grantId), [first.grant.id, second.grant.id], 'reminded is not acknowledged');
      assert.deepEqual(await actions(store, first.grant.id), ['grant.created', 'break_glass.used', 'break_glass.unacknowledged']);
    });

    test('where its alerts were posted is remembered', async () => {
      const { store } = await fresh();
      const { grant } = await breakGlass(store, T0);
      const alerts = { securityChannel: 'C0SEC', securityTs: '1.1', resourceChannel: 'C0DB', resourceTs: '2.2' };
      await store.setBreakGlassAlerts(grant.id, alerts);
      const use = await store.findBreakGlass(grant.id);
      assert.deepEqual([use?.securityChannel, use?.securityTs, use?.resourceChannel, use?.resourceTs], ['C0SEC', '1.1', 'C0DB', '2.2']);
    });

    test('extending a break-glass grant is audited as break-glass', async () => {
      const { store } = await fresh();
      const { grant } = await breakGlass(store, T0);
      await store.extendGrant({ grantId: grant.id, from: grant.expiresAt, byMs: 15 * MINUTE, maxExtensions: 2, by: ALICE, at: T0 + MINUTE });
      const [event] = await auditEvents(store, { action: 'grant.extended' });
      assert.equal(JSON.parse(event?.details ?? '{}').break_glass, true);
    });
  });
}
