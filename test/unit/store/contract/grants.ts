import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actions, ALICE, approvedGrant, auditEvents, BOB, counts, LEAD1, LEAD2, MINUTE, T0, type Fresh } from './harness.js';

export function grantCases(fresh: Fresh): void {
  describe('grants', () => {
    test('provisioned once, audited; a second call returns undefined', async () => {
      const { store } = await fresh();
      const grant = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      assert.equal((await store.markProvisioned(grant.id, T0 + 1_000))?.provisionedAt, T0 + 1_000);
      assert.equal(await store.markProvisioned(grant.id, T0 + 2_000), undefined);
      assert.deepEqual(await actions(store, grant.id), ['grant.created', 'grant.provisioned']);
      assert.deepEqual(await store.liveGrantSetups(), [{ status: 'active', grantedAt: T0, provisionedAt: T0 + 1_000, provisionError: null }]);
    });

    test('requestEnd records the release once, with one audit event; a second call returns undefined', async () => {
      const { store } = await fresh();
      const grant = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      const ended = await store.requestEnd(grant.id, 'released', ALICE, T0 + MINUTE);
      assert.deepEqual([ended?.endRequestedReason, ended?.endRequestedBy, ended?.endRequestedAt], ['released', ALICE, T0 + MINUTE]);
      assert.equal(ended?.status, 'active', 'access lasts until the provisioner has removed it');
      assert.equal(await store.requestEnd(grant.id, 'revoked', LEAD1, T0 + 2 * MINUTE), undefined);
      assert.equal((await store.findGrant(grant.id))?.endRequestedReason, 'released');
      assert.deepEqual(await actions(store, grant.id), ['grant.created', 'grant.release_requested']);
    });

    test('a revoke request is recorded as grant.revoke_requested', async () => {
      const { store } = await fresh();
      const grant = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      assert.ok(await store.requestEnd(grant.id, 'revoked', LEAD1, T0 + MINUTE));
      assert.deepEqual(await actions(store, grant.id), ['grant.created', 'grant.revoke_requested']);
    });

    test('the last failed setup attempt makes a grant provision_failed, once, audited; it still ends like any grant', async () => {
      const { store } = await fresh();
      const grant = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      assert.equal((await store.markProvisionFailed(grant.id, 'HTTP 503', T0 + 1_000, false))?.status, 'active', 'an attempt that is not the last keeps it active');
      const failed = await store.markProvisionFailed(grant.id, 'HTTP 500', T0 + 2_000, true);
      assert.deepEqual([failed?.status, failed?.provisionError], ['provision_failed', 'HTTP 500']);
      assert.equal(await store.markProvisionFailed(grant.id, 'HTTP 500', T0 + 3_000, true), undefined, 'given up once');
      assert.equal(await store.markProvisioned(grant.id, T0 + 4_000), undefined, 'a failed setup does not become active access');
      assert.deepEqual(await actions(store, grant.id), ['grant.created', 'grant.provision_failed']);
      assert.deepEqual((await store.activeGrantsOf(ALICE)).map((g) => g.id), [grant.id], '/request list still shows it');
      const ended = await store.requestEnd(grant.id, 'released', ALICE, T0 + 5 * MINUTE);
      assert.deepEqual([ended?.status, ended?.endRequestedAt], ['provision_failed', T0 + 5 * MINUTE]);
      assert.deepEqual((await store.grantsDueForRevocation(T0 + 5 * MINUTE, 10)).map((g) => g.id), [grant.id]);
      assert.equal((await store.markRevoked(grant.id, 'released', ALICE, T0 + 6 * MINUTE))?.status, 'revoked');
    });

    test('grantsNeverQueued finds unprovisioned, unfailed, unexpired grants approved before the cut-off', async () => {
      const { store } = await fresh();
      const lost = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 60 * MINUTE });
      const provisioned = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 60 * MINUTE });
      await store.markProvisioned(provisioned.id, T0 + 1_000);
      const failing = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 60 * MINUTE });
      await store.markProvisionFailed(failing.id, 'HTTP 503', T0 + 1_000, false);
      await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 2 * MINUTE });
      await approvedGrant(store, { grantedAt: T0 + 9 * MINUTE, expiresAt: T0 + 60 * MINUTE });
      assert.deepEqual((await store.grantsNeverQueued(T0 + 5 * MINUTE, T0 + 5 * MINUTE, 10)).map((g) => g.id), [lost.id]);
    });

    test('markRevoked revokes once, with one audit event; a second call returns undefined', async () => {
      const { store } = await fresh();
      const grant = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      const revoked = await store.markRevoked(grant.id, 'expired', 'jitbot', T0 + 30 * MINUTE + 500);
      assert.deepEqual([revoked?.status, revoked?.revokeReason, revoked?.revokedAt, revoked?.revokedBy], ['revoked', 'expired', T0 + 30 * MINUTE + 500, 'jitbot']);
      assert.equal(await store.markRevoked(grant.id, 'revoked', LEAD1, T0 + 31 * MINUTE), undefined);
      assert.equal((await store.findGrant(grant.id))?.revokeReason, 'expired');
      assert.deepEqual(await actions(store, grant.id), ['grant.created', 'grant.revoked']);
      const [event] = await auditEvents(store, { action: 'grant.revoked' });
      assert.equal(JSON.parse(event?.details ?? '{}').lateness_ms, 500);
    });

    test('markRevokedMany revokes a batch in one transaction, one audit event each, undefined for those already revoked', async () => {
      const { store } = await fresh();
      const a = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + MINUTE });
      const b = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + MINUTE });
      const c = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + MINUTE });
      await store.markRevoked(b.id, 'released', ALICE, T0 + 30_000);
      const rows = await store.markRevokedMany([
        { grantId: a.id, reason: 'expired', by: 'jitbot', at: T0 + MINUTE + 5 },
        { grantId: b.id, reason: 'expired', by: 'jitbot', at: T0 + MINUTE + 5 },
        { grantId: c.id, reason: 'expired', by: 'jitbot', at: T0 + MINUTE + 5, coveredBy: a.id },
      ]);
      assert.deepEqual(rows.map((r) => r?.status), ['revoked', undefined, 'revoked']);
      assert.deepEqual((await actions(store, a.id)).filter((x) => x === 'grant.revoked'), ['grant.revoked']);
      assert.deepEqual((await actions(store, b.id)).filter((x) => x === 'grant.revoked'), ['grant.revoked'], 'b was revoked once, by its release');
      const [ofC] = await auditEvents(store, { action: 'grant.revoked', subjectId: c.id });
      assert.equal(JSON.parse(ofC?.details ?? '{}').still_covered_by, a.id);
      assert.deepEqual(await store.markRevokedMany([]), []);
    });

    test('markRevokeFailed happens once, with one audit event, and a later successful revoke still ends it', async () => {
      const { store } = await fresh();
      const grant = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      const failed = await store.markRevokeFailed(grant.id, 'webhook answered 500', T0 + 31 * MINUTE);
      assert.deepEqual([failed?.status, failed?.revokeError], ['revoke_failed', 'webhook answered 500']);
      assert.equal(await store.markRevokeFailed(grant.id, 'again', T0 + 32 * MINUTE), undefined);
      assert.deepEqual(await actions(store, grant.id), ['grant.created', 'grant.revoke_failed']);
      const revoked = await store.markRevoked(grant.id, 'expired', 'jitbot', T0 + 40 * MINUTE);
      assert.deepEqual([revoked?.status, revoked?.revokeError], ['revoked', null]);
      assert.deepEqual(await actions(store, grant.id), ['grant.created', 'grant.revoke_failed', 'grant.revoked']);
    });

    test('a revoked grant can neither be asked to end nor marked as failed', async () => {
      const { store } = await fresh();
      const grant = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      assert.ok(await store.markRevoked(grant.id, 'revoked', LEAD1, T0 + MINUTE));
      const before = await counts(store);
      assert.equal(await store.requestEnd(grant.id, 'released', ALICE, T0 + 2 * MINUTE), undefined);
      assert.equal(await store.markRevokeFailed(grant.id, 'late failure', T0 + 2 * MINUTE), undefined);
      assert.equal((await store.findGrant(grant.id))?.status, 'revoked');
      assert.deepEqual(await counts(store), before);
    });

    test('the overdue-revocation alert is claimed once; its message is remembered', async () => {
      const { store } = await fresh();
      const grant = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      await store.noteRevokeError(grant.id, 'HTTP 502');
      assert.equal((await store.findGrant(grant.id))?.revokeError, 'HTTP 502');
      assert.equal((await store.claimRevokeAlert(grant.id, T0 + 40 * MINUTE))?.revokeAlertedAt, T0 + 40 * MINUTE);
      assert.equal(await store.claimRevokeAlert(grant.id, T0 + 41 * MINUTE), undefined);
      await store.setRevokeAlertMessage(grant.id, 'C0SEC', '1700000000.000200', T0 + 42 * MINUTE);
      const found = await store.findGrant(grant.id);
      assert.deepEqual([found?.revokeAlertedAt, found?.revokeAlertChannel, found?.revokeAlertTs], [T0 + 40 * MINUTE, 'C0SEC', '1700000000.000200']);
    });

    test('the closing-soon warning is recorded once, audited; an extension clears it', async () => {
      const { store } = await fresh();
      const grant = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      assert.equal((await store.markGrantWarned(grant.id, T0 + 25 * MINUTE))?.warnedAt, T0 + 25 * MINUTE);
      assert.equal(await store.markGrantWarned(grant.id, T0 + 26 * MINUTE), undefined);
      const extended = await store.extendGrant({ grantId: grant.id, from: grant.expiresAt, byMs: 15 * MINUTE, maxExtensions: 2, by: ALICE, at: T0 + 26 * MINUTE });
      assert.equal(extended?.warnedAt, null);
      assert.deepEqual(await actions(store, grant.id), ['grant.created', 'grant.closing_soon', 'grant.extended']);
    });

    test('extending moves the end once from where it stood; a stale end, an expired grant or max_extensions change nothing', async () => {
      const { store } = await fresh();
      const grant = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      const extend = (from: number, at = T0 + MINUTE, maxExtensions = 2) => store.extendGrant({ grantId: grant.id, from, byMs: 15 * MINUTE, maxExtensions, by: ALICE, at });
      assert.equal((await extend(grant.expiresAt))?.expiresAt, T0 + 45 * MINUTE);
      assert.equal(await extend(grant.expiresAt), undefined, 'a second extension computed from the old end loses the race');
      assert.equal(await extend(T0 + 45 * MINUTE, T0 + 45 * MINUTE), undefined, 'expired, even if not yet revoked');
      assert.equal(await extend(T0 + 45 * MINUTE, T0 + MINUTE, 1), undefined, 'max_extensions reached');
      const events = await auditEvents(store, { action: 'grant.extended' });
      assert.deepEqual(events.map((e) => [e.actor, JSON.parse(e.details)]), [[ALICE, { from: T0 + 30 * MINUTE, to: T0 + 45 * MINUTE, extensions: 1 }]]);
    });

    test('grantsDueForRevocation: expired, end-requested and revoke_failed grants, not future active or revoked ones; the limit caps it', async () => {
      const { store } = await fresh();
      const now = T0 + 60 * MINUTE;
      const expired = await approvedGrant(store, { grantedAt: T0, expiresAt: now - MINUTE });
      const expiringNow = await approvedGrant(store, { grantedAt: T0, expiresAt: now });
      const future = await approvedGrant(store, { grantedAt: T0, expiresAt: now + MINUTE });
      const released = await approvedGrant(store, { grantedAt: T0, expiresAt: now + 30 * MINUTE });
      await store.requestEnd(released.id, 'released', ALICE, now - MINUTE);
      const failed = await approvedGrant(store, { grantedAt: T0, expiresAt: now + 30 * MINUTE });
      await store.markRevokeFailed(failed.id, 'provisioner down', now - MINUTE);
      const done = await approvedGrant(store, { grantedAt: T0, expiresAt: now - 2 * MINUTE });
      await store.markRevoked(done.id, 'expired', 'jitbot', now - MINUTE);

      const due = (await store.grantsDueForRevocation(now, 100)).map((g) => g.id).sort();
      assert.deepEqual(due, [expired.id, expiringNow.id, released.id, failed.id].sort());
      assert.ok(!due.includes(future.id) && !due.includes(done.id));
      assert.equal((await store.grantsDueForRevocation(now, 2)).length, 2);
    });

    test('only the person’s other unended grants that are not ending and outlast now may still give the same access', async () => {
      const { store } = await fresh();
      const now = T0 + 10 * MINUTE;
      const revoking = await approvedGrant(store, { grantedAt: T0, expiresAt: now });
      const outlasting = await approvedGrant(store, { grantedAt: T0, expiresAt: now + 30 * MINUTE });
      await approvedGrant(store, { grantedAt: T0, expiresAt: now - MINUTE });
      const released = await approvedGrant(store, { grantedAt: T0, expiresAt: now + 30 * MINUTE });
      await store.requestEnd(released.id, 'released', ALICE, now);
      const revoked = await approvedGrant(store, { grantedAt: T0, expiresAt: now + 30 * MINUTE });
      await store.markRevoked(revoked.id, 'revoked', LEAD1, now);
      assert.deepEqual(await store.outlastingGrantsOf(ALICE, now, revoking.id), [{ id: outlasting.id, resource: 'prod-db' }]);
      assert.deepEqual(await store.outlastingGrantsOf(LEAD2, now, revoking.id), [], 'another person’s grants never count');
    });

    test('revoke-all marks every unended grant in scope to end (setup-failed ones too), each audited, with one event for the act', async () => {
      const { store } = await fresh();
      const failed = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      await store.markProvisionFailed(failed.id, 'HTTP 500', T0 + 1_000, true);
      const vpn = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE }, { resource: 'vpn' });
      const bobs = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE }, { requesterId: BOB });
      const alreadyEnding = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 30 * MINUTE });
      await store.requestEnd(alreadyEnding.id, 'released', ALICE, T0 + 2_000);

      const ofProdDb = await store.requestEndAll({ scope: { resource: 'prod-db' }, by: LEAD1, at: T0 + MINUTE, reason: 'incident', details: { incident: 'INC-9' } });
      assert.deepEqual(ofProdDb.map((g) => [g.id, g.endRequestedReason, g.endRequestedAt]).sort(), [[failed.id, 'revoked', T0 + MINUTE], [bobs.id, 'revoked', T0 + MINUTE]].sort());
      const ofAlice = await store.requestEndAll({ scope: { userId: ALICE }, by: LEAD1, at: T0 + 2 * MINUTE, reason: 'incident', details: {} });
      assert.deepEqual(ofAlice.map((g) => g.id), [vpn.id]);
      assert.deepEqual(await store.requestEndAll({ scope: {}, by: LEAD1, at: T0 + 3 * MINUTE, reason: 'again', details: {} }), [], 'nothing left to end');
      const acts = await auditEvents(store, { action: 'incident.revoke_all' });
      assert.deepEqual(acts.map((e) => [e.resource, e.reason, JSON.parse(e.details)]), [
        ['prod-db', 'incident', { incident: 'INC-9', grants: 2 }],
        [null, 'incident', { grants: 1 }],
        [null, 'again', { grants: 0 }],
      ]);
      assert.equal((await auditEvents(store, { action: 'grant.revoke_requested' })).length, 3);
    });

    test('listings: by person, resource and status, live grants on resources, timers in pages by expiry', async () => {
      const { store } = await fresh();
      const a = await approvedGrant(store, { grantedAt: T0, expiresAt: T0 + 10 * MINUTE });
      const b = await approvedGrant(store, { grantedAt: T0 + MINUTE, expiresAt: T0 + 20 * MINUTE }, { resource: 'vpn' });
      const c = await approvedGrant(store, { grantedAt: T0 + 2 * MINUTE, expiresAt: T0 + 30 * MINUTE }, { requesterId: BOB });
      await store.markRevoked(c.id, 'revoked', LEAD1, T0 + 3 * MINUTE);
      await store.markProvisioned(a.id, T0 + 1_000);
      const ids = async (filter: Parameters<typeof store.listGrants>[0], after?: { at: number; id: string }, limit = 10) => (await store.listGrants(filter, after, limit)).map((g) => g.id);
      assert.deepEqual(await ids({}), [a.id, b.id, c.id]);
      assert.deepEqual(await ids({ userId: ALICE }), [a.id, b.id]);
      assert.deepEqual(await ids({ resource: 'vpn' }), [b.id]);
      assert.deepEqual(await ids({ status: 'revoked' }), [c.id]);
      assert.deepEqual(await ids({ since: T0 + MINUTE, until: T0 + 2 * MINUTE }), [b.id]);
      assert.deepEqual(await ids({}, { at: a.grantedAt, id: a.id }, 1), [b.id]);
      assert.deepEqual((await store.liveGrants()).map((g) => g.id), [a.id, b.id]);
      assert.deepEqual((await store.liveGrantsOn(['vpn', 'wiki'])).map((g) => g.id), [b.id]);
      assert.deepEqual((await store.activeGrantsOf(BOB)).map((g) => g.id), []);
      assert.deepEqual(await store.activeGrantTimers(-1, '', 1), [{ id: a.id, grantedAt: T0, expiresAt: T0 + 10 * MINUTE, provisioned: true, warned: false }]);
      assert.deepEqual(await store.activeGrantTimers(a.expiresAt, a.id, 10), [{ id: b.id, grantedAt: T0 + MINUTE, expiresAt: T0 + 20 * MINUTE, provisioned: false, warned: false }]);
    });
  });
}
