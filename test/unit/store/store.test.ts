import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { GrantRecord } from '../../../src/domain/records.js';
import type { Store } from '../../../src/store/store.js';
import {
  ALICE,
  approveInput,
  createPendingRequest,
  LEAD1,
  LEAD2,
  MINUTE,
  SEC1,
  T0,
  tempStores,
} from './temp-store.js';

const stores = tempStores();
after(() => stores.cleanup());

function approvedGrant(store: Store, times: { grantedAt: number; expiresAt: number }): GrantRecord {
  const request = createPendingRequest(store, { durationMs: times.expiresAt - times.grantedAt });
  const outcome = store.approve(approveInput(request.id, LEAD1, { at: times.grantedAt }));
  assert.equal(outcome.kind, 'approved');
  assert.ok(outcome.kind === 'approved');
  return outcome.grant;
}

describe('creating a request', () => {
  test('writes the pending request and exactly one request.created audit event', () => {
    const t = stores.fresh();
    const request = createPendingRequest(t.store);
    assert.equal(request.status, 'pending');
    const row = t.open.sqlite.prepare('select * from requests where id = ?').get(request.id) as Record<string, unknown>;
    assert.equal(row.requester_id, ALICE);
    assert.equal(row.resource, 'prod-db');
    assert.equal(row.duration_ms, 30 * MINUTE);
    assert.equal(row.reason, 'debugging INC-4211');
    assert.equal(row.status, 'pending');

    const events = t.open.sqlite.prepare('select * from audit_events').all() as Record<string, unknown>[];
    assert.equal(events.length, 1);
    const [event] = events;
    assert.equal(event?.action, 'request.created');
    assert.equal(event?.actor, ALICE);
    assert.equal(event?.subject_id, request.id);
    assert.equal(event?.reason, 'debugging INC-4211');
    assert.deepEqual(JSON.parse(String(event?.details)), { duration_ms: 30 * MINUTE, policy_version: 'v1' });
  });

  test('a request the database refuses (zero duration) leaves neither a row nor an audit event', () => {
    const t = stores.fresh();
    assert.throws(() => createPendingRequest(t.store, { durationMs: 0 }), /CHECK constraint failed/);
    assert.equal(t.count('requests'), 0);
    assert.equal(t.count('audit_events'), 0);
  });
});

describe('approving a request', () => {
  test('with a one-stage chain, one approval creates exactly one grant and records why', () => {
    const t = stores.fresh();
    const request = createPendingRequest(t.store);
    const outcome = t.store.approve(approveInput(request.id, LEAD1));
    assert.equal(outcome.kind, 'approved');
    assert.ok(outcome.kind === 'approved');
    assert.equal(outcome.request.status, 'approved');
    assert.equal(outcome.request.decidedBy, LEAD1);
    assert.equal(outcome.grant.requestId, request.id);
    assert.equal(outcome.grant.status, 'active');
    assert.equal(outcome.grant.expiresAt, T0 + MINUTE + 30 * MINUTE);
    assert.equal(t.count('grants'), 1);
    assert.deepEqual(t.actions(request.id, outcome.grant.id), [
      'request.created',
      'request.approval_recorded',
      'request.approved',
      'grant.created',
    ]);
  });

  test('a second approve on a decided request returns not_pending and writes no grant and no audit event', () => {
    const t = stores.fresh();
    const request = createPendingRequest(t.store);
    assert.equal(t.store.approve(approveInput(request.id, LEAD1)).kind, 'approved');
    const auditBefore = t.count('audit_events');

    const second = t.store.approve(approveInput(request.id, LEAD2));
    assert.equal(second.kind, 'not_pending');
    assert.equal(t.count('grants'), 1);
    assert.equal(t.count('audit_events'), auditBefore);
    assert.equal(t.store.findRequest(request.id)?.decidedBy, LEAD1);
  });

  test('approving a request that does not exist reports not_found and writes nothing', () => {
    const t = stores.fresh();
    assert.equal(t.store.approve(approveInput('req-missing', LEAD1)).kind, 'not_found');
    assert.equal(t.count('audit_events'), 0);
  });

  test('2-of-N: the first approval is recorded but grants nothing; a second person completes it', () => {
    const t = stores.fresh();
    const request = createPendingRequest(t.store);
    const stages = [{ approvers: ['db-leads'], approvalsRequired: 2 }];

    const first = t.store.approve(approveInput(request.id, LEAD1, { stages }));
    assert.equal(first.kind, 'recorded');
    assert.ok(first.kind === 'recorded');
    assert.equal(first.progress.complete, false);
    assert.equal(t.count('grants'), 0);
    assert.equal(t.store.findRequest(request.id)?.status, 'pending');

    const again = t.store.approve(approveInput(request.id, LEAD1, { stages }));
    assert.ok(again.kind === 'refused');
    assert.equal(again.refusal, 'already_approved');
    assert.equal(t.count('grants'), 0);

    assert.equal(t.store.approve(approveInput(request.id, LEAD2, { stages })).kind, 'approved');
    assert.equal(t.count('grants'), 1);
  });

  test('two stages: a second-stage approver cannot approve before the first stage is done', () => {
    const t = stores.fresh();
    const request = createPendingRequest(t.store);
    const stages = [
      { approvers: ['db-leads'], approvalsRequired: 1 },
      { approvers: ['security'], approvalsRequired: 1 },
    ];
    const early = t.store.approve(approveInput(request.id, SEC1, { stages, approverStages: new Set([1]) }));
    assert.ok(early.kind === 'refused');
    assert.equal(early.refusal, 'not_an_approver');

    const lead = t.store.approve(approveInput(request.id, LEAD1, { stages, approverStages: new Set([0]) }));
    assert.ok(lead.kind === 'recorded');
    assert.equal(lead.progress.stage, 1);

    assert.equal(t.store.approve(approveInput(request.id, SEC1, { stages, approverStages: new Set([1]) })).kind, 'approved');
    assert.deepEqual(
      t.store.approvalsOf(request.id).map((a) => [a.approverId, a.stage]),
      [
        [LEAD1, 0],
        [SEC1, 1],
      ],
    );
  });

  test('a requester approving their own request writes only a decision.refused event and leaves it pending', () => {
    const t = stores.fresh();
    const request = createPendingRequest(t.store);
    const outcome = t.store.approve(approveInput(request.id, ALICE));
    assert.ok(outcome.kind === 'refused');
    assert.equal(outcome.refusal, 'self_approval');

    assert.equal(t.store.findRequest(request.id)?.status, 'pending');
    assert.equal(t.count('grants'), 0);
    assert.equal(t.count('request_approvals'), 0);
    const events = t.open.sqlite.prepare('select action, actor, reason from audit_events order by seq').all();
    assert.deepEqual(events, [
      { action: 'request.created', actor: ALICE, reason: 'debugging INC-4211' },
      { action: 'decision.refused', actor: ALICE, reason: 'self_approval' },
    ]);
  });

  test('self approval goes through where the policy allows it', () => {
    const t = stores.fresh();
    const request = createPendingRequest(t.store);
    assert.equal(t.store.approve(approveInput(request.id, ALICE, { selfApproval: true })).kind, 'approved');
  });

  test('someone who is not an approver is refused and the request stays pending', () => {
    const t = stores.fresh();
    const request = createPendingRequest(t.store);
    const outcome = t.store.approve(approveInput(request.id, 'U0BOB', { approverStages: new Set() }));
    assert.ok(outcome.kind === 'refused');
    assert.equal(outcome.refusal, 'not_an_approver');
    assert.equal(t.store.findRequest(request.id)?.status, 'pending');
    assert.deepEqual(t.actions(request.id), ['request.created', 'decision.refused']);
  });
});

describe('two approvers at once, through two connections to the same file', () => {
  test('approving the same request through both connections produces exactly one grant', () => {
    const t = stores.fresh();
    const other = t.reopen();
    const request = createPendingRequest(t.store);

    const outcomes = [t.store.approve(approveInput(request.id, LEAD1)), other.store.approve(approveInput(request.id, LEAD2))];
    assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['approved', 'not_pending']);
    assert.equal(t.count('grants'), 1);
    assert.equal((other.open.sqlite.prepare('select count(*) as n from grants').get() as { n: number }).n, 1);
    assert.deepEqual(
      t.actions(request.id).filter((a) => a === 'request.approved'),
      ['request.approved'],
    );
  });

  test('an approval arriving while another is mid-transaction is held off; retried, it finds the request decided and writes no grant', () => {
    const t = stores.fresh();
    const other = t.reopen();
    other.open.sqlite.pragma('busy_timeout = 0');
    const request = createPendingRequest(t.store);

    let inFlight: unknown;
    const first = t.store.approve(
      approveInput(request.id, LEAD1, {
        newGrant: (r) => {
          // Connection 1 holds the write lock here; connection 2 tries to decide the same request.
          try {
            inFlight = other.store.approve(approveInput(request.id, LEAD2));
          } catch (error) {
            inFlight = error;
          }
          return approveInput(request.id, LEAD1).newGrant(r);
        },
      }),
    );
    assert.equal(first.kind, 'approved');
    assert.ok(inFlight instanceof Error, `the second approval should have been blocked, got ${JSON.stringify(inFlight)}`);
    assert.match(String((inFlight as { code?: string }).code), /SQLITE_BUSY/);

    assert.equal(other.store.approve(approveInput(request.id, LEAD2)).kind, 'not_pending');
    assert.equal(t.count('grants'), 1);
  });

  test('2-of-N approvals split across connections complete once, with one grant', () => {
    const t = stores.fresh();
    const other = t.reopen();
    const request = createPendingRequest(t.store);
    const stages = [{ approvers: ['db-leads'], approvalsRequired: 2 }];
    assert.equal(t.store.approve(approveInput(request.id, LEAD1, { stages })).kind, 'recorded');
    assert.equal(other.store.approve(approveInput(request.id, LEAD2, { stages })).kind, 'approved');
    assert.equal(t.store.approve(approveInput(request.id, SEC1, { stages })).kind, 'not_pending');
    assert.equal(t.count('grants'), 1);
  });

  test('even a direct second grant for the same request is refused by the database', () => {
    const t = stores.fresh();
    const grant = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + MINUTE });
    assert.throws(
      () =>
        t.open.sqlite
          .prepare('insert into grants (id, request_id, user_id, resource, reason, granted_at, expires_at) values (?, ?, ?, ?, ?, ?, ?)')
          .run('grt-dup', grant.requestId, ALICE, 'prod-db', 'x', T0, T0 + MINUTE),
      /UNIQUE constraint failed/,
    );
  });
});

describe('closing a pending request', () => {
  test('deny works once; the second deny returns undefined and writes nothing', () => {
    const t = stores.fresh();
    const request = createPendingRequest(t.store);
    const denied = t.store.closeRequest(request.id, 'denied', LEAD1, T0 + MINUTE, 'not during the freeze');
    assert.equal(denied?.status, 'denied');
    assert.equal(denied?.decidedBy, LEAD1);
    assert.equal(denied?.decidedAt, T0 + MINUTE);
    const auditAfterFirst = t.count('audit_events');

    assert.equal(t.store.closeRequest(request.id, 'denied', LEAD2, T0 + 2 * MINUTE), undefined);
    assert.equal(t.count('audit_events'), auditAfterFirst);
    assert.equal(t.store.findRequest(request.id)?.decidedBy, LEAD1);
    const events = t.open.sqlite.prepare('select action, actor, reason from audit_events where subject_id = ? order by seq').all(request.id);
    assert.deepEqual(events, [
      { action: 'request.created', actor: ALICE, reason: 'debugging INC-4211' },
      { action: 'request.denied', actor: LEAD1, reason: 'not during the freeze' },
    ]);
  });

  test('an approve click after a deny changes nothing', () => {
    const t = stores.fresh();
    const request = createPendingRequest(t.store);
    t.store.closeRequest(request.id, 'denied', LEAD1, T0 + MINUTE);
    assert.equal(t.store.approve(approveInput(request.id, LEAD2)).kind, 'not_pending');
    assert.equal(t.count('grants'), 0);
  });

  test('cancelling an approved request returns undefined and leaves it approved', () => {
    const t = stores.fresh();
    const grant = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + MINUTE });
    assert.ok(grant.requestId);
    assert.equal(t.store.closeRequest(grant.requestId, 'cancelled', ALICE, T0 + 2 * MINUTE), undefined);
    assert.equal(t.store.findRequest(grant.requestId)?.status, 'approved');
  });
});

describe('ending a grant', () => {
  test('requestEnd records the release once, with one audit event; a second call returns undefined', () => {
    const t = stores.fresh();
    const grant = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
    const ended = t.store.requestEnd(grant.id, 'released', ALICE, T0 + MINUTE);
    assert.equal(ended?.endRequestedReason, 'released');
    assert.equal(ended?.endRequestedBy, ALICE);
    assert.equal(ended?.status, 'active', 'access lasts until the provisioner has removed it');
    assert.equal(t.store.requestEnd(grant.id, 'revoked', LEAD1, T0 + 2 * MINUTE), undefined);
    assert.equal(t.store.findGrant(grant.id)?.endRequestedReason, 'released');
    assert.deepEqual(t.actions(grant.id), ['grant.created', 'grant.release_requested']);
  });

  test('a revoke request is recorded as grant.revoke_requested', () => {
    const t = stores.fresh();
    const grant = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
    assert.ok(t.store.requestEnd(grant.id, 'revoked', LEAD1, T0 + MINUTE));
    assert.deepEqual(t.actions(grant.id), ['grant.created', 'grant.revoke_requested']);
  });

  test('the last failed setup attempt makes a grant provision_failed, once, audited; it still ends like any grant', () => {
    const t = stores.fresh();
    const grant = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
    assert.equal(t.store.markProvisionFailed(grant.id, 'HTTP 503', T0 + 1_000, false)?.status, 'active', 'an attempt that is not the last keeps it active');
    const failed = t.store.markProvisionFailed(grant.id, 'HTTP 500', T0 + 2_000, true);
    assert.deepEqual([failed?.status, failed?.provisionError], ['provision_failed', 'HTTP 500']);
    assert.equal(t.store.markProvisionFailed(grant.id, 'HTTP 500', T0 + 3_000, true), undefined, 'given up once');
    assert.equal(t.store.markProvisioned(grant.id, T0 + 4_000), undefined, 'a failed setup does not become active access');
    assert.deepEqual(t.actions(grant.id), ['grant.created', 'grant.provision_failed']);
    assert.deepEqual(t.store.activeGrantsOf(ALICE).map((g) => g.id), [grant.id], '/request list still shows it');
    const ended = t.store.requestEnd(grant.id, 'released', ALICE, T0 + 5 * MINUTE);
    assert.deepEqual([ended?.status, ended?.endRequestedAt], ['provision_failed', T0 + 5 * MINUTE]);
    assert.deepEqual(t.store.grantsDueForRevocation(T0 + 5 * MINUTE, 10).map((g) => g.id), [grant.id]);
    assert.equal(t.store.markRevoked(grant.id, 'released', ALICE, T0 + 6 * MINUTE)?.status, 'revoked');
  });

  test('revoke-all ends grants whose setup failed too', () => {
    const t = stores.fresh();
    const grant = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
    t.store.markProvisionFailed(grant.id, 'HTTP 500', T0 + 1_000, true);
    const ending = t.store.requestEndAll({ scope: {}, by: LEAD1, at: T0 + MINUTE, reason: 'incident', details: {} });
    assert.deepEqual(ending.map((g) => [g.id, g.endRequestedReason, g.endRequestedAt]), [[grant.id, 'revoked', T0 + MINUTE]]);
  });

  test('grantsNeverQueued finds unprovisioned, unfailed, unexpired grants approved before the cut-off', () => {
    const t = stores.fresh();
    const lost = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + 60 * MINUTE });
    const provisioned = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + 60 * MINUTE });
    t.store.markProvisioned(provisioned.id, T0 + 1_000);
    const failing = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + 60 * MINUTE });
    t.store.markProvisionFailed(failing.id, 'HTTP 503', T0 + 1_000, false);
    approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + 2 * MINUTE });
    approvedGrant(t.store, { grantedAt: T0 + 9 * MINUTE, expiresAt: T0 + 60 * MINUTE });
    assert.deepEqual(t.store.grantsNeverQueued(T0 + 5 * MINUTE, T0 + 5 * MINUTE, 10).map((g) => g.id), [lost.id]);
  });

  test('markRevokedMany revokes a batch in one transaction, one audit event each, undefined for those already revoked', () => {
    const t = stores.fresh();
    const a = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + MINUTE });
    const b = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + MINUTE });
    t.store.markRevoked(b.id, 'released', ALICE, T0 + 30_000);
    const rows = t.store.markRevokedMany([
      { grantId: a.id, reason: 'expired', by: 'jitbot', at: T0 + MINUTE + 5 },
      { grantId: b.id, reason: 'expired', by: 'jitbot', at: T0 + MINUTE + 5 },
    ]);
    assert.deepEqual(rows.map((r) => r?.status), ['revoked', undefined]);
    assert.deepEqual(t.actions(a.id).filter((x) => x === 'grant.revoked'), ['grant.revoked']);
    assert.deepEqual(t.actions(b.id).filter((x) => x === 'grant.revoked'), ['grant.revoked'], 'b was revoked once, by its release');
  });

  test('markRevoked revokes once, with one audit event; a second call returns undefined', () => {
    const t = stores.fresh();
    const grant = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
    const revoked = t.store.markRevoked(grant.id, 'expired', 'jitbot', T0 + 30 * MINUTE + 500);
    assert.equal(revoked?.status, 'revoked');
    assert.equal(revoked?.revokeReason, 'expired');
    assert.equal(revoked?.revokedAt, T0 + 30 * MINUTE + 500);
    assert.equal(t.store.markRevoked(grant.id, 'revoked', LEAD1, T0 + 31 * MINUTE), undefined);
    assert.equal(t.store.findGrant(grant.id)?.revokeReason, 'expired');
    assert.deepEqual(t.actions(grant.id), ['grant.created', 'grant.revoked']);
    const details = t.open.sqlite.prepare("select details from audit_events where action = 'grant.revoked'").get() as { details: string };
    assert.equal(JSON.parse(details.details).lateness_ms, 500);
  });

  test('markRevokeFailed happens once, with one audit event, and a later successful revoke still ends it', () => {
    const t = stores.fresh();
    const grant = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
    const failed = t.store.markRevokeFailed(grant.id, 'webhook answered 500', T0 + 31 * MINUTE);
    assert.equal(failed?.status, 'revoke_failed');
    assert.equal(failed?.revokeError, 'webhook answered 500');
    assert.equal(t.store.markRevokeFailed(grant.id, 'again', T0 + 32 * MINUTE), undefined);
    assert.deepEqual(t.actions(grant.id), ['grant.created', 'grant.revoke_failed']);

    const revoked = t.store.markRevoked(grant.id, 'expired', 'jitbot', T0 + 40 * MINUTE);
    assert.equal(revoked?.status, 'revoked');
    assert.equal(revoked?.revokeError, null);
    assert.deepEqual(t.actions(grant.id), ['grant.created', 'grant.revoke_failed', 'grant.revoked']);
  });

  test('a revoked grant can neither be asked to end nor marked as failed', () => {
    const t = stores.fresh();
    const grant = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
    assert.ok(t.store.markRevoked(grant.id, 'revoked', LEAD1, T0 + MINUTE));
    const auditBefore = t.count('audit_events');
    assert.equal(t.store.requestEnd(grant.id, 'released', ALICE, T0 + 2 * MINUTE), undefined);
    assert.equal(t.store.markRevokeFailed(grant.id, 'late failure', T0 + 2 * MINUTE), undefined);
    assert.equal(t.store.findGrant(grant.id)?.status, 'revoked');
    assert.equal(t.count('audit_events'), auditBefore);
  });
});

describe('grantsDueForRevocation', () => {
  test('returns expired, end-requested and revoke_failed grants, but not future active or revoked ones', () => {
    const t = stores.fresh();
    const now = T0 + 60 * MINUTE;
    const expired = approvedGrant(t.store, { grantedAt: T0, expiresAt: now - MINUTE });
    const expiringNow = approvedGrant(t.store, { grantedAt: T0, expiresAt: now });
    const future = approvedGrant(t.store, { grantedAt: T0, expiresAt: now + MINUTE });
    const released = approvedGrant(t.store, { grantedAt: T0, expiresAt: now + 30 * MINUTE });
    t.store.requestEnd(released.id, 'released', ALICE, now - MINUTE);
    const failed = approvedGrant(t.store, { grantedAt: T0, expiresAt: now + 30 * MINUTE });
    t.store.markRevokeFailed(failed.id, 'provisioner down', now - MINUTE);
    const done = approvedGrant(t.store, { grantedAt: T0, expiresAt: now - 2 * MINUTE });
    t.store.markRevoked(done.id, 'expired', 'jitbot', now - MINUTE);

    const due = t.store.grantsDueForRevocation(now, 100).map((g) => g.id).sort();
    assert.deepEqual(due, [expired.id, expiringNow.id, released.id, failed.id].sort());
    assert.ok(!due.includes(future.id));
    assert.ok(!due.includes(done.id));
  });

  test('the limit caps how many are returned', () => {
    const t = stores.fresh();
    for (let i = 0; i < 3; i += 1) approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + MINUTE });
    assert.equal(t.store.grantsDueForRevocation(T0 + 2 * MINUTE, 2).length, 2);
  });
});

describe('the schema refuses invalid states written directly', () => {
  test('a CHECK constraint refuses an unknown request status', () => {
    const t = stores.fresh();
    const request = createPendingRequest(t.store);
    assert.throws(() => t.open.sqlite.prepare("update requests set status = 'approvedish' where id = ?").run(request.id), /CHECK constraint failed/);
    assert.equal(t.store.findRequest(request.id)?.status, 'pending');
  });

  test('a CHECK constraint refuses an unknown grant status', () => {
    const t = stores.fresh();
    const grant = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + MINUTE });
    assert.throws(() => t.open.sqlite.prepare("update grants set status = 'paused' where id = ?").run(grant.id), /CHECK constraint failed/);
  });

  test('a grant the database refuses (expires before it starts) rolls the whole approval back', () => {
    const t = stores.fresh();
    const request = createPendingRequest(t.store);
    assert.throws(
      () =>
        t.store.approve(
          approveInput(request.id, LEAD1, {
            newGrant: (r) => ({ id: 'grt-backwards', requestId: r.id, userId: ALICE, resource: 'prod-db', reason: 'x', grantedAt: T0, expiresAt: T0 }),
          }),
        ),
      /CHECK constraint failed/,
    );
    assert.equal(t.store.findRequest(request.id)?.status, 'pending');
    assert.equal(t.count('grants'), 0);
    assert.equal(t.count('request_approvals'), 0);
    assert.deepEqual(t.actions(request.id), ['request.created']);
  });
});

describe('grants that may still give the same access (revoking one of several)', () => {
  test('only the person’s other active grants that are not ending and outlast now', () => {
    const t = stores.fresh();
    const now = T0 + 10 * MINUTE;
    const revoking = approvedGrant(t.store, { grantedAt: T0, expiresAt: now });
    const outlasting = approvedGrant(t.store, { grantedAt: T0, expiresAt: now + 30 * MINUTE });
    approvedGrant(t.store, { grantedAt: T0, expiresAt: now - MINUTE }); // already over
    const released = approvedGrant(t.store, { grantedAt: T0, expiresAt: now + 30 * MINUTE });
    t.store.requestEnd(released.id, 'released', ALICE, now);
    const revoked = approvedGrant(t.store, { grantedAt: T0, expiresAt: now + 30 * MINUTE });
    t.store.markRevoked(revoked.id, 'revoked', LEAD1, now);
    assert.deepEqual(t.store.outlastingGrantsOf(ALICE, now, revoking.id), [{ id: outlasting.id, resource: 'prod-db' }]);
    assert.deepEqual(t.store.outlastingGrantsOf(LEAD2, now, revoking.id), [], 'another person’s grants never count');
  });
});

describe('extending a grant', () => {
  test('moves the end once from where it stood; a stale end, an expired grant or max_extensions change nothing', () => {
    const t = stores.fresh();
    const grant = approvedGrant(t.store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
    const extend = (from: number, at = T0 + MINUTE, maxExtensions = 2) => t.store.extendGrant({ grantId: grant.id, from, byMs: 15 * MINUTE, maxExtensions, by: ALICE, at });

    const once = extend(grant.expiresAt);
    assert.equal(once?.expiresAt, T0 + 45 * MINUTE);
    assert.equal(extend(grant.expiresAt), undefined, 'a second extension computed from the old end loses the race');
    assert.equal(extend(T0 + 45 * MINUTE, T0 + 45 * MINUTE), undefined, 'expired, even if not yet revoked');
    assert.equal(extend(T0 + 45 * MINUTE, T0 + MINUTE, 1), undefined, 'max_extensions reached');
    const events = t.open.sqlite.prepare("select actor, details from audit_events where action = 'grant.extended'").all() as { actor: string; details: string }[];
    assert.deepEqual(events.map((e) => [e.actor, JSON.parse(e.details)]), [[ALICE, { from: T0 + 30 * MINUTE, to: T0 + 45 * MINUTE, extensions: 1 }]]);
  });
});
