import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExceptionRecord } from '../../../../src/domain/records.js';
import { newId } from '../../../../src/store/ids.js';
import { actions, ALICE, askException, counts, HOUR, LEAD1, MINUTE, newException, openException, SEC1, standingGrant, T0, type Fresh } from './harness.js';

const requestAt = (at: number) => ({
  id: newId('req'),
  requesterId: ALICE,
  resource: 'prod-db',
  durationMs: 30 * MINUTE,
  reason: 'debugging',
  policyVersion: 'v1',
  createdAt: at,
});

const grantFor = (at: number) => (request: { id: string; requesterId: string; resource: string; reason: string; durationMs: number }, e: ExceptionRecord) => ({
  id: newId('grt'),
  requestId: request.id,
  exceptionId: e.id,
  userId: request.requesterId,
  resource: request.resource,
  reason: request.reason,
  grantedAt: at,
  expiresAt: at + request.durationMs,
});

export function exceptionCases(fresh: Fresh): void {
  describe('exceptions', () => {
    test('one pending or open exception per person and resource; another resource or a closed one does not count', async () => {
      const { store } = await fresh();
      const first = await askException(store);
      const again = await store.createException({ ...newException(), id: newId('exc') });
      assert.ok(again.kind === 'duplicate');
      assert.equal(again.existing.id, first.id);
      await askException(store, { resource: 'vpn' });
      await openException(store, first);
      assert.equal((await store.createException(newException())).kind, 'duplicate');
      assert.ok(await store.closeException(first.id, 'revoked', SEC1, T0 + 2 * MINUTE));
      await askException(store);
      assert.equal((await counts(store)).exceptions, 3);
      assert.equal((await store.listExceptions({ all: false })).length, 2, 'without `all`, only pending and open ones');
    });

    test('approval opens the window from the approval, not from the asking', async () => {
      const { store } = await fresh();
      const exception = await askException(store);
      const { exception: opened, standingGrant: grant } = await openException(store, exception, T0 + 10 * MINUTE);
      assert.deepEqual([opened.status, opened.opensAt, opened.endsAt, opened.decidedBy], ['open', T0 + 10 * MINUTE, T0 + 10 * MINUTE + 4 * HOUR, SEC1]);
      assert.equal(grant, undefined, 'auto_approve has no standing grant');
      assert.deepEqual(await actions(store, exception.id), ['exception.requested', 'exception.opened']);
      assert.equal(await store.countOpenExceptions(), 1);
      assert.deepEqual((await store.liveExceptionsOf(ALICE)).map((e) => e.id), [exception.id]);
    });

    test('the person it is for cannot approve it, whatever the caller checked; the refusal is audited', async () => {
      const { store } = await fresh();
      const exception = await askException(store);
      const outcome = await store.openException({ id: exception.id, approverId: ALICE, at: T0, newGrant: standingGrant(T0) });
      assert.equal(outcome.kind, 'self_approval');
      assert.equal((await store.findException(exception.id))?.status, 'pending');
      assert.deepEqual(await actions(store, exception.id), ['exception.requested', 'decision.refused']);
      assert.equal((await store.openException({ id: 'exc-missing', approverId: SEC1, at: T0, newGrant: standingGrant(T0) })).kind, 'not_found');
    });

    test('standing mode creates one grant for the window, not tied to a request', async () => {
      const { store } = await fresh();
      const exception = await askException(store, { mode: 'standing' });
      const { exception: opened, standingGrant: grant } = await openException(store, exception, T0);
      assert.ok(grant);
      assert.deepEqual([grant.requestId, grant.exceptionId, grant.expiresAt], [null, exception.id, opened.endsAt]);
      assert.equal((await counts(store)).grants, 1);
    });

    test('a denied exception cannot be opened', async () => {
      const { store } = await fresh();
      const exception = await askException(store);
      assert.equal((await store.denyException(exception.id, SEC1, T0))?.status, 'denied');
      assert.equal(await store.denyException(exception.id, SEC1, T0), undefined);
      assert.equal((await store.openException({ id: exception.id, approverId: SEC1, at: T0, newGrant: standingGrant(T0) })).kind, 'not_pending');
    });

    test('closing marks the standing grant to end; the sweep sees it must end, even before its expiry', async () => {
      const { store } = await fresh();
      const exception = await askException(store, { mode: 'standing' });
      const { standingGrant: grant } = await openException(store, exception, T0);
      assert.ok(grant);
      const closed = await store.closeException(exception.id, 'expired', 'jitbot', T0 + 4 * HOUR);
      assert.ok(closed);
      assert.deepEqual([closed.exception.status, closed.exception.closeReason], ['closed', 'expired']);
      assert.deepEqual(closed.endedGrants.map((g) => [g.id, g.endRequestedReason]), [[grant.id, 'exception_closed']]);
      assert.deepEqual(await actions(store, exception.id), ['exception.requested', 'exception.opened', 'exception.closed']);
      assert.deepEqual(await actions(store, grant.id), ['grant.created', 'grant.revoke_requested']);
      assert.deepEqual((await store.grantsDueForRevocation(T0, 10)).map((g) => g.id), [grant.id]);
      assert.equal((await store.verifyAuditChain()).ok, true);
    });

    test('an expiry close before the end changes nothing; a revocation may close it early', async () => {
      const { store } = await fresh();
      const exception = await askException(store);
      await openException(store, exception, T0);
      assert.equal(await store.closeException(exception.id, 'expired', 'jitbot', T0 + HOUR), undefined);
      assert.equal((await store.findException(exception.id))?.status, 'open');
      assert.equal((await store.closeException(exception.id, 'revoked', SEC1, T0 + HOUR))?.exception.closedBy, SEC1);
    });

    test('the sweep finds open exceptions past their end, and the timers cover every open one', async () => {
      const { store } = await fresh();
      const early = await askException(store, { durationMs: HOUR });
      const late = await askException(store, { resource: 'vpn', durationMs: 3 * HOUR });
      await openException(store, early, T0);
      await openException(store, late, T0);
      const pending = await askException(store, { resource: 'wiki' });
      assert.deepEqual((await store.exceptionsDueToClose(T0 + 2 * HOUR, 10)).map((e) => e.id), [early.id]);
      assert.deepEqual((await store.openExceptionTimers(-1, '', 10)).map((e) => [e.id, e.endsAt]), [[early.id, T0 + HOUR], [late.id, T0 + 3 * HOUR]]);
      assert.deepEqual((await store.openExceptionTimers(T0 + HOUR, early.id, 10)).map((e) => e.id), [late.id]);
      assert.deepEqual(await store.pendingExceptionResources(), ['wiki']);
      assert.deepEqual((await store.pendingExceptionsOn('wiki')).map((e) => e.id), [pending.id]);
      assert.deepEqual((await store.openExceptionsIn({ resource: 'vpn' })).map((e) => e.id), [late.id]);
      assert.deepEqual((await store.openExceptionsIn({})).map((e) => e.id).sort(), [early.id, late.id].sort());
    });

    test('the approval message is remembered; pages filter by status', async () => {
      const { store } = await fresh();
      const a = await askException(store);
      const b = await askException(store, { resource: 'vpn', createdAt: T0 + MINUTE });
      assert.deepEqual((await store.pendingExceptionsWithoutApprovalMessage(T0 + 2 * MINUTE, 10)).map((e) => e.id).sort(), [a.id, b.id].sort(), 'in no particular order');
      await store.setExceptionApprovalMessage(a.id, 'C0SEC', '1700000000.000300');
      assert.deepEqual((await store.pendingExceptionsWithoutApprovalMessage(T0 + 2 * MINUTE, 10)).map((e) => e.id), [b.id]);
      assert.equal((await store.findException(a.id))?.approvalTs, '1700000000.000300');
      await openException(store, b, T0 + 2 * MINUTE);
      assert.deepEqual((await store.pageExceptions({ status: 'open' }, undefined, 10)).map((e) => e.id), [b.id]);
      assert.deepEqual((await store.pageExceptions({}, { at: a.createdAt, id: a.id }, 10)).map((e) => e.id), [b.id]);
    });

    test('the reminder is recorded once, and only while open', async () => {
      const { store } = await fresh();
      const exception = await askException(store);
      assert.equal(await store.markExceptionWarned(exception.id, T0), undefined, 'not while pending');
      await openException(store, exception, T0);
      assert.ok(await store.markExceptionWarned(exception.id, T0 + HOUR));
      assert.equal(await store.markExceptionWarned(exception.id, T0 + HOUR), undefined);
    });

    test('a request under an open auto_approve exception is approved and granted in one transaction', async () => {
      const { store } = await fresh();
      const exception = await askException(store);
      await openException(store, exception, T0);
      const at = T0 + HOUR;
      const granted = await store.grantUnderException(requestAt(at), grantFor(at));
      assert.ok(granted);
      assert.deepEqual([granted.request.status, granted.request.decidedBy, granted.grant.exceptionId, granted.exception.id], ['approved', 'jitbot', exception.id, exception.id]);
      assert.deepEqual(await actions(store, granted.request.id), ['request.created', 'request.approved']);
      assert.deepEqual(await actions(store, granted.grant.id), ['grant.created']);
    });

    test('no request is granted under an exception that is pending, standing, past its end, closed, or for someone or something else', async () => {
      const { store } = await fresh();
      const pending = await askException(store);
      assert.equal(await store.grantUnderException(requestAt(T0), grantFor(T0)), undefined, 'pending');
      await openException(store, pending, T0);
      assert.equal(await store.grantUnderException({ ...requestAt(T0), requesterId: LEAD1 }, grantFor(T0)), undefined, 'someone else');
      assert.equal(await store.grantUnderException({ ...requestAt(T0), resource: 'vpn' }, grantFor(T0)), undefined, 'another resource');
      assert.equal(await store.grantUnderException(requestAt(T0 + 4 * HOUR), grantFor(T0 + 4 * HOUR)), undefined, 'past its end, not yet swept');
      await store.closeException(pending.id, 'revoked', SEC1, T0 + MINUTE);
      assert.equal(await store.grantUnderException(requestAt(T0 + 2 * MINUTE), grantFor(T0 + 2 * MINUTE)), undefined, 'closed');
      const standing = await askException(store, { resource: 'vpn', mode: 'standing' });
      await openException(store, standing, T0);
      assert.equal(await store.grantUnderException({ ...requestAt(T0), resource: 'vpn' }, grantFor(T0)), undefined, 'standing mode');
      const after = await counts(store);
      assert.deepEqual([after.requests, after.grants], [0, 1], 'only the standing grant');
    });
  });
}
