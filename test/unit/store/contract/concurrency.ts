import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newId } from '../../../../src/store/ids.js';
import type { Store } from '../../../../src/store/store.js';
import { actions, ALICE, approvedGrant, approveInput, askException, auditEvents, BOB, counts, createPendingRequest, HOUR, LEAD1, LEAD2, MINUTE, newRequest, openException, SEC1, standingGrant, T0, type Fresh } from './harness.js';

/** Races per case: enough that two replicas really interleave on PostgreSQL, few enough to stay fast. */
const ROUNDS = 5;

/** Runs `act` on both stores at once and returns both results (first store's first). */
const race = <T>(a: Store, b: Store, act: (store: Store, which: 0 | 1) => Promise<T>): Promise<[T, T]> => Promise.all([act(a, 0), act(b, 1)]);

const defined = <T>(values: readonly (T | undefined)[]) => values.filter((v) => v !== undefined).length;

export function concurrencyCases(fresh: Fresh): void {
  describe('concurrency: two stores on one database', () => {
    test('approving the same request on both: exactly one grant, request.approved once', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      for (let i = 0; i < ROUNDS; i += 1) {
        const request = await createPendingRequest(db.store);
        const outcomes = await race(db.store, other, (store, which) => store.approve(approveInput(request.id, which === 0 ? LEAD1 : LEAD2)));
        assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['approved', 'not_pending']);
        assert.deepEqual((await actions(other, request.id)).filter((a) => a === 'request.approved'), ['request.approved']);
      }
      assert.equal((await counts(db.store)).grants, ROUNDS);
      assert.equal((await counts(other)).grants, ROUNDS, 'the second store sees the same rows');
    });

    test('2-of-N approvals split across stores complete once, with one grant', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      const stages = [{ approvers: ['db-leads'], approvalsRequired: 2 }];
      const request = await createPendingRequest(db.store);
      assert.equal((await db.store.approve(approveInput(request.id, LEAD1, { stages }))).kind, 'recorded');
      const [second, third] = await race(db.store, other, (store, which) => store.approve(approveInput(request.id, which === 0 ? SEC1 : LEAD2, { stages })));
      assert.deepEqual([second.kind, third.kind].sort(), ['approved', 'not_pending']);
      assert.equal((await counts(db.store)).grants, 1);
      assert.equal((await db.store.approvalsOf(request.id)).length, 2);
    });

    test('two first approvals of a 2-of-N request at once: both recorded or one refused, never a lost approval', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      const stages = [{ approvers: ['db-leads'], approvalsRequired: 2 }];
      for (let i = 0; i < ROUNDS; i += 1) {
        const request = await createPendingRequest(db.store);
        const outcomes = await race(db.store, other, (store, which) => store.approve(approveInput(request.id, which === 0 ? LEAD1 : LEAD2, { stages })));
        assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['approved', 'recorded']);
        assert.equal((await db.store.approvalsOf(request.id)).length, 2);
      }
      assert.equal((await counts(db.store)).grants, ROUNDS);
    });

    test('closing the same request on both (deny and cancel): exactly one closes it, audited once', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      for (let i = 0; i < ROUNDS; i += 1) {
        const request = await createPendingRequest(db.store);
        const closed = await race(db.store, other, (store, which) => (which === 0 ? store.closeRequest(request.id, 'denied', LEAD1, T0 + MINUTE) : store.closeRequest(request.id, 'cancelled', ALICE, T0 + MINUTE)));
        assert.equal(defined(closed), 1);
        const after = await actions(db.store, request.id);
        assert.equal(after.length, 2, `one close event, got ${after.join(', ')}`);
        assert.equal((await db.store.findRequest(request.id))?.status, closed.find((c) => c !== undefined)?.status);
      }
    });

    test('approve on one store and deny on the other: one wins, and a grant exists exactly when approval won', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      for (let i = 0; i < ROUNDS; i += 1) {
        const request = await createPendingRequest(db.store);
        const [approved, denied] = await Promise.all([db.store.approve(approveInput(request.id, LEAD1)), other.closeRequest(request.id, 'denied', LEAD2, T0 + MINUTE)]);
        assert.ok((approved.kind === 'approved') !== (denied !== undefined), `approve ${approved.kind}, deny ${denied?.status}`);
        const grants = await db.store.listGrants({}, undefined, 100);
        assert.equal(grants.some((g) => g.requestId === request.id), approved.kind === 'approved');
      }
    });

    test('revoking the same grant on both: grant.revoked written once', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      for (let i = 0; i < ROUNDS; i += 1) {
        const grant = await approvedGrant(db.store, { grantedAt: T0, expiresAt: T0 + MINUTE });
        const revoked = await race(db.store, other, (store) => store.markRevoked(grant.id, 'expired', 'jitbot', T0 + MINUTE + 5));
        assert.equal(defined(revoked), 1);
        assert.deepEqual((await actions(db.store, grant.id)).filter((a) => a === 'grant.revoked'), ['grant.revoked']);
      }
    });

    test('two revocation batches overlapping on both: each grant revoked once, by one batch', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      const grants = [];
      for (let i = 0; i < 4; i += 1) grants.push(await approvedGrant(db.store, { grantedAt: T0, expiresAt: T0 + MINUTE }));
      const batch = grants.map((g) => ({ grantId: g.id, reason: 'expired' as const, by: 'jitbot', at: T0 + MINUTE + 5 }));
      const [first, second] = await race(db.store, other, (store, which) => store.markRevokedMany(which === 0 ? batch : [...batch].reverse()));
      grants.forEach((g, i) => assert.equal(defined([first[i], second[grants.length - 1 - i]]), 1, `grant ${i} revoked by exactly one batch`));
      assert.equal((await auditEvents(db.store, { action: 'grant.revoked' })).length, grants.length);
    });

    test('ending, extending, warning and claiming the alert of one grant on both: each happens once', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      const grant = await approvedGrant(db.store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      const extended = await race(db.store, other, (store) => store.extendGrant({ grantId: grant.id, from: grant.expiresAt, byMs: 15 * MINUTE, maxExtensions: 5, by: ALICE, at: T0 + MINUTE }));
      assert.equal(defined(extended), 1);
      assert.equal((await db.store.findGrant(grant.id))?.expiresAt, T0 + 45 * MINUTE);
      assert.equal(defined(await race(db.store, other, (store) => store.markGrantWarned(grant.id, T0 + 40 * MINUTE))), 1);
      assert.equal(defined(await race(db.store, other, (store) => store.markProvisioned(grant.id, T0 + 2 * MINUTE))), 1);
      assert.equal(defined(await race(db.store, other, (store, which) => store.requestEnd(grant.id, which === 0 ? 'released' : 'revoked', which === 0 ? ALICE : LEAD1, T0 + 41 * MINUTE))), 1);
      assert.equal(defined(await race(db.store, other, (store) => store.claimRevokeAlert(grant.id, T0 + 50 * MINUTE))), 1);
      assert.deepEqual(await actions(db.store, grant.id), ['grant.created', 'grant.extended', 'grant.closing_soon', 'grant.provisioned', (await db.store.findGrant(grant.id))?.endRequestedReason === 'released' ? 'grant.release_requested' : 'grant.revoke_requested']);
    });

    test('the same delivery on both: firstDelivery is true once', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      for (let i = 0; i < ROUNDS; i += 1) {
        const firsts = await race(db.store, other, (store, which) => store.firstDelivery([`trigger:t${i}`, `signature:v0=${i}-${which}`], T0 + i, T0 - MINUTE));
        assert.deepEqual(firsts.filter(Boolean), [true], `round ${i}: ${JSON.stringify(firsts)}`);
      }
    });

    test('a burst of requests from one person on both stores never passes the pending limit', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      const limits = { max_pending_per_resource: 3, max_pending_per_person: 10 };
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? db.store : other).createRequestWithinLimits(newRequest(), limits)));
      assert.equal(outcomes.filter((o) => o.kind === 'created').length, 3);
      assert.equal((await db.store.pendingRequestsOf(ALICE)).length, 3);
    });

    test('an exception opened on both at once: one opens it, with exactly one standing grant', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      const exception = await askException(db.store, { mode: 'standing' });
      const outcomes = await race(db.store, other, (store, which) => store.openException({ id: exception.id, approverId: which === 0 ? SEC1 : LEAD1, at: T0, newGrant: standingGrant(T0) }));
      assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['not_pending', 'opened']);
      assert.equal((await counts(db.store)).grants, 1);
    });

    test('an exception closed on both at once: closed once, its standing grant marked to end once', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      const exception = await askException(db.store, { mode: 'standing' });
      const { standingGrant: grant } = await openException(db.store, exception, T0);
      assert.ok(grant);
      const end = T0 + 4 * HOUR;
      const closed = await race(db.store, other, (store, which) => (which === 0 ? store.closeException(exception.id, 'expired', 'jitbot', end) : store.closeException(exception.id, 'revoked', SEC1, end)));
      assert.equal(defined(closed), 1);
      assert.equal((await actions(db.store, exception.id)).filter((a) => a === 'exception.closed').length, 1);
      assert.deepEqual(await actions(db.store, grant.id), ['grant.created', 'grant.revoke_requested']);
    });

    test('break-glass acknowledged on both at once: acknowledged once', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      const request = newRequest();
      const { grant } = await db.store.grantBreakGlass(request, {}, (approved) => ({ id: newId('grt'), requestId: approved.id, userId: ALICE, resource: 'prod-db', reason: 'x', grantedAt: T0, expiresAt: T0 + HOUR }));
      const acknowledged = await race(db.store, other, (store, which) => store.acknowledgeBreakGlass(grant.id, which === 0 ? SEC1 : LEAD1, T0 + MINUTE));
      assert.equal(defined(acknowledged), 1);
      assert.equal((await auditEvents(db.store, { action: 'break_glass.acknowledged' })).length, 1);
    });

    test('the same review item decided on both at once: one decision stands, audited once', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      const review = await db.store.createReview({ id: newId('rev'), trigger: 'cli', createdBy: SEC1, createdAt: T0, since: T0 - HOUR, until: T0, report: '{}' }, {});
      const outcomes = await race(db.store, other, (store, which) =>
        store.recordReviewDecision({ reviewId: review.id, subjectType: 'grant', subjectId: 'grt-x', decision: which === 0 ? 'keep' : 'revoke', decidedBy: which === 0 ? SEC1 : LEAD1, decidedAt: T0 + MINUTE }, 'prod-db'),
      );
      assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['already_decided', 'recorded']);
      assert.equal((await db.store.reviewDecisions(review.id)).length, 1);
      assert.equal((await auditEvents(db.store, { subjectId: 'grt-x' })).length, 1);
    });

    test('events written on both stores at once form one chain with no fork', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      const writes = Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? db.store : other).recordEvent({ at: T0 + i, actor: i % 2 === 0 ? ALICE : BOB, action: 'decision.refused', subjectType: 'user', subjectId: `U${i}` }),
      );
      await Promise.all(writes);
      const a = await createPendingRequest(db.store);
      const b = await createPendingRequest(other);
      await other.approve(approveInput(a.id, LEAD1));
      await db.store.closeRequest(b.id, 'cancelled', ALICE, T0 + MINUTE);
      const check = await other.verifyAuditChain();
      assert.ok(check.ok, JSON.stringify(check));
      assert.equal(check.count, 26);
      assert.deepEqual((await auditEvents(db.store)).map((e) => e.seq), Array.from({ length: 26 }, (_, i) => i + 1));
    });
  });
}
