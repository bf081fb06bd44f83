import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actions, ALICE, approveInput, auditEvents, BOB, CHECK_FAILED, counts, createPendingRequest, LEAD1, LEAD2, MINUTE, newRequest, T0, type Fresh } from './harness.js';

const LIMITS = { max_pending_per_resource: 2, max_pending_per_person: 3 };

export function requestCases(fresh: Fresh): void {
  describe('requests', () => {
    test('creating writes the pending request and exactly one request.created audit event', async () => {
      const { store } = await fresh();
      const request = await createPendingRequest(store);
      const found = await store.findRequest(request.id);
      assert.deepEqual(found, request);
      assert.deepEqual(
        [found?.requesterId, found?.resource, found?.durationMs, found?.reason, found?.status, found?.decidedAt],
        [ALICE, 'prod-db', 30 * MINUTE, 'debugging INC-4211', 'pending', null],
      );
      const events = await auditEvents(store);
      assert.equal(events.length, 1);
      const [event] = events;
      assert.deepEqual([event?.action, event?.actor, event?.subjectType, event?.subjectId, event?.resource, event?.reason], ['request.created', ALICE, 'request', request.id, 'prod-db', 'debugging INC-4211']);
      assert.deepEqual(JSON.parse(event?.details ?? 'null'), { duration_ms: 30 * MINUTE, policy_version: 'v1' });
    });

    test('a request the database refuses (zero duration) leaves neither a row nor an audit event', async () => {
      const { store } = await fresh();
      await assert.rejects(createPendingRequest(store, { durationMs: 0 }), CHECK_FAILED);
      assert.deepEqual(await counts(store), { requests: 0, grants: 0, audit: 0, exceptions: 0 });
    });

    test('within limits: the requester’s pending requests are counted (extension requests too, decided ones not) and nothing is written past a limit', async () => {
      const { store } = await fresh();
      const asked = (resource: string, extendsGrantId: string | null = null) => store.createRequestWithinLimits(newRequest({ resource, extendsGrantId }), LIMITS);
      assert.equal((await asked('prod-db')).kind, 'created');
      assert.equal((await asked('prod-db', 'grt-1')).kind, 'created');
      const before = await counts(store);
      assert.deepEqual(await asked('prod-db'), { kind: 'limit_reached', limit: 'max_pending_per_resource' });
      assert.equal((await asked('staging')).kind, 'created');
      assert.deepEqual(await asked('vpn'), { kind: 'limit_reached', limit: 'max_pending_per_person' });
      const after = await counts(store);
      assert.deepEqual([after.requests, after.audit], [before.requests + 1, before.audit + 1]);

      assert.equal((await store.createRequestWithinLimits(newRequest({ requesterId: BOB }), LIMITS)).kind, 'created', 'someone else is not counted');
      const [first] = await store.pendingRequestsOf(ALICE);
      assert.ok(first);
      await store.closeRequest(first.id, 'cancelled', ALICE, T0);
      assert.equal((await asked(first.resource)).kind, 'created', 'a decided request no longer counts');
    });

    test('deny works once; the second deny returns undefined and writes nothing', async () => {
      const { store } = await fresh();
      const request = await createPendingRequest(store);
      const denied = await store.closeRequest(request.id, 'denied', LEAD1, T0 + MINUTE, 'not during the freeze');
      assert.deepEqual([denied?.status, denied?.decidedBy, denied?.decidedAt], ['denied', LEAD1, T0 + MINUTE]);
      const auditAfterFirst = (await counts(store)).audit;

      assert.equal(await store.closeRequest(request.id, 'denied', LEAD2, T0 + 2 * MINUTE), undefined);
      assert.equal((await counts(store)).audit, auditAfterFirst);
      assert.equal((await store.findRequest(request.id))?.decidedBy, LEAD1);
      const events = await auditEvents(store, { subjectId: request.id });
      assert.deepEqual(events.map((e) => [e.action, e.actor, e.reason]), [
        ['request.created', ALICE, 'debugging INC-4211'],
        ['request.denied', LEAD1, 'not during the freeze'],
      ]);
    });

    test('cancel and lapse close a pending request once, each audited under its own name', async () => {
      const { store } = await fresh();
      const cancelled = await createPendingRequest(store);
      const lapsed = await createPendingRequest(store);
      assert.equal((await store.closeRequest(cancelled.id, 'cancelled', ALICE, T0 + MINUTE))?.status, 'cancelled');
      assert.equal((await store.closeRequest(lapsed.id, 'lapsed', 'jitbot', T0 + MINUTE))?.status, 'lapsed');
      assert.equal(await store.closeRequest(lapsed.id, 'cancelled', ALICE, T0 + 2 * MINUTE), undefined);
      assert.deepEqual(await actions(store, cancelled.id, lapsed.id), ['request.created', 'request.created', 'request.cancelled', 'request.lapsed']);
      assert.deepEqual(await store.pendingRequestsOf(ALICE), []);
    });

    test('an approve click after a deny changes nothing', async () => {
      const { store } = await fresh();
      const request = await createPendingRequest(store);
      await store.closeRequest(request.id, 'denied', LEAD1, T0 + MINUTE);
      assert.equal((await store.approve(approveInput(request.id, LEAD2))).kind, 'not_pending');
      assert.equal((await counts(store)).grants, 0);
    });

    test('cancelling an approved request returns undefined and leaves it approved', async () => {
      const { store } = await fresh();
      const request = await createPendingRequest(store);
      assert.equal((await store.approve(approveInput(request.id, LEAD1))).kind, 'approved');
      assert.equal(await store.closeRequest(request.id, 'cancelled', ALICE, T0 + 2 * MINUTE), undefined);
      assert.equal((await store.findRequest(request.id))?.status, 'approved');
    });

    test('escalation is marked once, audited with whom it went to', async () => {
      const { store } = await fresh();
      const request = await createPendingRequest(store);
      assert.deepEqual((await store.dueForEscalation('prod-db', T0 + MINUTE, 10)).map((r) => r.id), [request.id]);
      assert.equal((await store.markEscalated(request.id, ['U0CTO'], T0 + 10 * MINUTE))?.escalatedAt, T0 + 10 * MINUTE);
      assert.equal(await store.markEscalated(request.id, ['U0CTO'], T0 + 11 * MINUTE), undefined);
      assert.deepEqual(await store.dueForEscalation('prod-db', T0 + MINUTE, 10), []);
      const escalated = await auditEvents(store, { action: 'request.escalated' });
      assert.deepEqual(escalated.map((e) => JSON.parse(e.details)), [{ to: ['U0CTO'] }]);
    });

    test('the approval message is remembered; until then the request is found as missing one', async () => {
      const { store } = await fresh();
      const request = await createPendingRequest(store);
      assert.deepEqual((await store.pendingWithoutApprovalMessage(T0 + 1, 10)).map((r) => r.id), [request.id]);
      assert.deepEqual(await store.pendingWithoutApprovalMessage(T0, 10), [], 'only those created before the cut-off');
      await store.setApprovalMessage(request.id, 'C0DB', '1700000000.000100');
      const found = await store.findRequest(request.id);
      assert.deepEqual([found?.approvalChannel, found?.approvalTs], ['C0DB', '1700000000.000100']);
      assert.deepEqual(await store.pendingWithoutApprovalMessage(T0 + 1, 10), []);
    });

    test('listing filters by person, resource, status and time, and pages by (created_at, id)', async () => {
      const { store } = await fresh();
      const a = await createPendingRequest(store, { createdAt: T0 });
      const b = await createPendingRequest(store, { createdAt: T0 + MINUTE, resource: 'vpn' });
      const c = await createPendingRequest(store, { createdAt: T0 + 2 * MINUTE, requesterId: BOB });
      await store.closeRequest(c.id, 'denied', LEAD1, T0 + 3 * MINUTE);
      const ids = async (filter: Parameters<typeof store.listRequests>[0], after?: { at: number; id: string }, limit = 10) => (await store.listRequests(filter, after, limit)).map((r) => r.id);
      assert.deepEqual(await ids({}), [a.id, b.id, c.id]);
      assert.deepEqual(await ids({ userId: ALICE }), [a.id, b.id]);
      assert.deepEqual(await ids({ resource: 'vpn' }), [b.id]);
      assert.deepEqual(await ids({ status: 'denied' }), [c.id]);
      assert.deepEqual(await ids({ since: T0 + MINUTE, until: T0 + 2 * MINUTE }), [b.id]);
      assert.deepEqual(await ids({}, undefined, 2), [a.id, b.id]);
      assert.deepEqual(await ids({}, { at: b.createdAt, id: b.id }, 2), [c.id]);
      assert.deepEqual((await store.requestsSince(T0 + MINUTE)).map((r) => r.id).sort(), [b.id, c.id].sort());
    });

    test('pending requests alike are grouped by kind, and the timers page through every pending one', async () => {
      const { store } = await fresh();
      const a = await createPendingRequest(store, { createdAt: T0 });
      const b = await createPendingRequest(store, { createdAt: T0 + MINUTE, requesterId: BOB });
      const other = await createPendingRequest(store, { createdAt: T0 + 2 * MINUTE, resource: 'vpn', policyVersion: 'v2' });
      await store.approve(approveInput(a.id, LEAD1, { stages: [{ approvers: ['db-leads'], approvalsRequired: 2 }] }));
      const kinds = (await store.pendingKinds()).map((k) => `${k.policyVersion} ${k.resource} ${k.escalated}`).sort();
      assert.deepEqual(kinds, ['v1 prod-db false', 'v2 vpn false']);
      const prodDb = await store.pendingOfKind({ policyVersion: 'v1', resource: 'prod-db', escalated: false });
      assert.deepEqual(prodDb.map((p) => [p.request.id, p.approvals.map((x) => x.approverId)]).sort(), [[a.id, [LEAD1]], [b.id, []]].sort());
      assert.deepEqual((await store.pendingRequestTimers(-1, '', 2)).map((r) => r.id), [a.id, b.id]);
      assert.deepEqual((await store.pendingRequestTimers(b.createdAt, b.id, 2)).map((r) => r.id), [other.id]);
      assert.deepEqual((await store.pendingCreatedBefore(T0 + MINUTE, 10)).map((r) => r.id), [a.id]);
    });
  });
}
