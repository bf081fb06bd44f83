import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actions, ALICE, approvedGrant, approveInput, auditEvents, BOB, CHECK_FAILED, counts, createPendingRequest, LEAD1, LEAD2, MINUTE, SEC1, T0, type Fresh } from './harness.js';

const TWO_OF_N = [{ approvers: ['db-leads'], approvalsRequired: 2 }];
const TWO_STAGES = [
  { approvers: ['db-leads'], approvalsRequired: 1 },
  { approvers: ['security'], approvalsRequired: 1 },
];

export function approvalCases(fresh: Fresh): void {
  describe('approvals', () => {
    test('with a one-stage chain, one approval creates exactly one grant and records why', async () => {
      const { store } = await fresh();
      const request = await createPendingRequest(store);
      const outcome = await store.approve(approveInput(request.id, LEAD1));
      assert.ok(outcome.kind === 'approved');
      assert.deepEqual([outcome.request.status, outcome.request.decidedBy, outcome.request.decidedAt], ['approved', LEAD1, T0 + MINUTE]);
      assert.deepEqual([outcome.grant.requestId, outcome.grant.status, outcome.grant.expiresAt], [request.id, 'active', T0 + MINUTE + 30 * MINUTE]);
      assert.deepEqual(await store.findGrant(outcome.grant.id), outcome.grant);
      assert.equal((await counts(store)).grants, 1);
      assert.deepEqual(await actions(store, request.id, outcome.grant.id), ['request.created', 'request.approval_recorded', 'request.approved', 'grant.created']);
      assert.deepEqual((await store.approvalsOf(request.id)).map((a) => [a.approverId, a.stage, a.approvedAt]), [[LEAD1, 0, T0 + MINUTE]]);
    });

    test('a second approve on a decided request returns not_pending and writes no grant and no audit event', async () => {
      const { store } = await fresh();
      const request = await createPendingRequest(store);
      assert.equal((await store.approve(approveInput(request.id, LEAD1))).kind, 'approved');
      const before = await counts(store);
      assert.equal((await store.approve(approveInput(request.id, LEAD2))).kind, 'not_pending');
      assert.deepEqual(await counts(store), before);
      assert.equal((await store.findRequest(request.id))?.decidedBy, LEAD1);
    });

    test('approving a request that does not exist reports not_found and writes nothing', async () => {
      const { store } = await fresh();
      assert.equal((await store.approve(approveInput('req-missing', LEAD1))).kind, 'not_found');
      assert.equal((await counts(store)).audit, 0);
    });

    test('2-of-N: the first approval is recorded but grants nothing; the same person again is refused; a second person completes it', async () => {
      const { store } = await fresh();
      const request = await createPendingRequest(store);
      const first = await store.approve(approveInput(request.id, LEAD1, { stages: TWO_OF_N }));
      assert.ok(first.kind === 'recorded');
      assert.equal(first.progress.complete, false);
      assert.equal((await counts(store)).grants, 0);
      assert.equal((await store.findRequest(request.id))?.status, 'pending');

      const again = await store.approve(approveInput(request.id, LEAD1, { stages: TWO_OF_N }));
      assert.ok(again.kind === 'refused');
      assert.equal(again.refusal, 'already_approved');
      assert.equal((await counts(store)).grants, 0);

      assert.equal((await store.approve(approveInput(request.id, LEAD2, { stages: TWO_OF_N }))).kind, 'approved');
      assert.equal((await counts(store)).grants, 1);
    });

    test('two stages: a second-stage approver cannot approve before the first stage is done', async () => {
      const { store } = await fresh();
      const request = await createPendingRequest(store);
      const early = await store.approve(approveInput(request.id, SEC1, { stages: TWO_STAGES, approverStages: new Set([1]) }));
      assert.ok(early.kind === 'refused');
      assert.equal(early.refusal, 'not_an_approver');

      const lead = await store.approve(approveInput(request.id, LEAD1, { stages: TWO_STAGES, approverStages: new Set([0]) }));
      assert.ok(lead.kind === 'recorded');
      assert.equal(lead.progress.stage, 1);

      assert.equal((await store.approve(approveInput(request.id, SEC1, { stages: TWO_STAGES, approverStages: new Set([1]) }))).kind, 'approved');
      assert.deepEqual((await store.approvalsOf(request.id)).map((a) => [a.approverId, a.stage]), [[LEAD1, 0], [SEC1, 1]]);
    });

    test('a requester approving their own request writes only a decision.refused event and leaves it pending', async () => {
      const { store } = await fresh();
      const request = await createPendingRequest(store);
      const outcome = await store.approve(approveInput(request.id, ALICE));
      assert.ok(outcome.kind === 'refused');
      assert.equal(outcome.refusal, 'self_approval');
      assert.equal((await store.findRequest(request.id))?.status, 'pending');
      assert.equal((await counts(store)).grants, 0);
      assert.deepEqual(await store.approvalsOf(request.id), []);
      assert.deepEqual((await auditEvents(store)).map((e) => [e.action, e.actor, e.reason]), [
        ['request.created', ALICE, 'debugging INC-4211'],
        ['decision.refused', ALICE, 'self_approval'],
      ]);
    });

    test('self approval goes through where the policy allows it', async () => {
      const { store } = await fresh();
      const request = await createPendingRequest(store);
      assert.equal((await store.approve(approveInput(request.id, ALICE, { selfApproval: true }))).kind, 'approved');
    });

    test('someone who is not an approver is refused and the request stays pending', async () => {
      const { store } = await fresh();
      const request = await createPendingRequest(store);
      const outcome = await store.approve(approveInput(request.id, BOB, { approverStages: new Set() }));
      assert.ok(outcome.kind === 'refused');
      assert.equal(outcome.refusal, 'not_an_approver');
      assert.equal((await store.findRequest(request.id))?.status, 'pending');
      assert.deepEqual(await actions(store, request.id), ['request.created', 'decision.refused']);
    });

    test('a grant the database refuses (expires before it starts) rolls the whole approval back', async () => {
      const { store } = await fresh();
      const request = await createPendingRequest(store);
      await assert.rejects(
        store.approve(approveInput(request.id, LEAD1, { newGrant: (r) => ({ id: 'grt-backwards', requestId: r.id, userId: ALICE, resource: 'prod-db', reason: 'x', grantedAt: T0, expiresAt: T0 }) })),
        CHECK_FAILED,
      );
      assert.equal((await store.findRequest(request.id))?.status, 'pending');
      assert.equal((await counts(store)).grants, 0);
      assert.deepEqual(await store.approvalsOf(request.id), []);
      assert.deepEqual(await actions(store, request.id), ['request.created']);
    });

    test('an extension request, approved, moves its grant’s end instead of granting anew', async () => {
      const { store } = await fresh();
      const grant = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      const extension = await createPendingRequest(store, { durationMs: 60 * MINUTE, extendsGrantId: grant.id, createdAt: T0 + 5 * MINUTE });
      assert.equal((await store.pendingExtensionOf(grant.id))?.id, extension.id);
      const outcome = await store.approve(approveInput(extension.id, LEAD1, { at: T0 + 10 * MINUTE }));
      assert.ok(outcome.kind === 'extended', `got ${outcome.kind}`);
      assert.deepEqual([outcome.grant.id, outcome.grant.expiresAt, outcome.grant.extensions], [grant.id, T0 + 90 * MINUTE, 1]);
      assert.equal(outcome.request.status, 'approved');
      assert.equal((await counts(store)).grants, 1, 'no second grant');
      assert.equal(await store.pendingExtensionOf(grant.id), undefined);
      const extended = await auditEvents(store, { action: 'grant.extended' });
      assert.deepEqual(extended.map((e) => [e.subjectId, JSON.parse(e.details)]), [[grant.id, { from: T0 + 30 * MINUTE, to: T0 + 90 * MINUTE, extensions: 1, request_id: extension.id }]]);
    });

    test('an extension request whose grant has ended or used up its extensions is withdrawn by jitbot, nothing extended', async () => {
      const { store } = await fresh();
      const ended = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      const late = await createPendingRequest(store, { extendsGrantId: ended.id });
      await store.requestEnd(ended.id, 'released', ALICE, T0 + MINUTE);
      const withdrawn = await store.approve(approveInput(late.id, LEAD1, { at: T0 + 2 * MINUTE }));
      assert.ok(withdrawn.kind === 'withdrawn');
      assert.deepEqual([withdrawn.reason, withdrawn.request.status, withdrawn.request.decidedBy], ['grant_ended', 'cancelled', 'jitbot']);

      const used = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      const extra = await createPendingRequest(store, { extendsGrantId: used.id });
      const outcome = await store.approve(approveInput(extra.id, LEAD1, { at: T0 + 2 * MINUTE, maxExtensions: 0 }));
      assert.ok(outcome.kind === 'withdrawn');
      assert.equal(outcome.reason, 'max_extensions');
      assert.equal((await store.findGrant(used.id))?.expiresAt, T0 + 30 * MINUTE);
      assert.deepEqual(await actions(store, extra.id), ['request.created', 'request.cancelled']);
    });

    test('one pending extension request per grant', async () => {
      const { store } = await fresh();
      const grant = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      await createPendingRequest(store, { extendsGrantId: grant.id });
      await assert.rejects(createPendingRequest(store, { extendsGrantId: grant.id }));
      assert.equal((await counts(store)).requests, 2);
    });
  });
}
