import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Store } from '../../../../src/store/store.js';
import { approvedGrant, HOUR, MINUTE, T0, type Fresh } from './harness.js';

const TTL = 10_000;
const ROUNDS = 5;

/** Both stores ask at once; the results in store order. */
const race = <T>(a: Store, b: Store, act: (store: Store, which: 0 | 1) => Promise<T>): Promise<[T, T]> => Promise.all([act(a, 0), act(b, 1)]);

export function leaseCases(fresh: Fresh): void {
  describe('leases: one holder at a time', () => {
    test('two replicas asking for a free lease at once: exactly one holds it', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      for (let i = 0; i < ROUNDS; i += 1) {
        const held = await race(db.store, other, (store, which) => store.holdLease(`sweep-${i}`, `replica-${which}`, TTL, T0));
        assert.deepEqual([...held].sort(), [false, true]);
      }
    });

    test('the holder renews it; another cannot take it before it expires', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      assert.equal(await db.store.holdLease('sweep', 'a', TTL, T0), true);
      assert.equal(await other.holdLease('sweep', 'b', TTL, T0 + TTL - 1), false);
      assert.equal(await db.store.holdLease('sweep', 'a', TTL, T0 + TTL - 1), true, 'renewed');
      assert.equal(await other.holdLease('sweep', 'b', TTL, T0 + TTL + 1), false, 'the renewal moved its end');
    });

    test('a lease its holder stopped renewing is taken over once it expires', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      assert.equal(await db.store.holdLease('sweep', 'a', TTL, T0), true);
      assert.equal(await other.holdLease('sweep', 'b', TTL, T0 + TTL), true);
      assert.equal(await db.store.holdLease('sweep', 'a', TTL, T0 + TTL + 1), false, 'the old holder lost it');
    });

    test('a released lease is free at once; releasing one held by another changes nothing', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      assert.equal(await db.store.holdLease('sweep', 'a', TTL, T0), true);
      await other.releaseLease('sweep', 'b');
      assert.equal(await other.holdLease('sweep', 'b', TTL, T0 + 1), false);
      await db.store.releaseLease('sweep', 'a');
      assert.equal(await other.holdLease('sweep', 'b', TTL, T0 + 2), true);
    });

    test('leases of different names are independent', async () => {
      const db = await fresh();
      assert.equal(await db.store.holdLease('sweep', 'a', TTL, T0), true);
      assert.equal(await db.store.holdLease('drift', 'b', TTL, T0), true);
    });
  });

  describe('revocation claims: one replica calls the provisioner', () => {
    const due = (store: Store) => approvedGrant(store, { grantedAt: T0, expiresAt: T0 + HOUR });
    const at = T0 + HOUR;

    test('two replicas claiming one revocation at once: one claims it, the other learns until when it is held', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      for (let i = 0; i < ROUNDS; i += 1) {
        const grant = await due(db.store);
        const claims = await race(db.store, other, (store, which) => store.claimRevocation(grant.id, { holder: `replica-${which}`, at, until: at + MINUTE }));
        assert.deepEqual(claims.map((c) => c.kind).sort(), ['claimed', 'held']);
        const held = claims.find((c) => c.kind === 'held');
        assert.ok(held?.kind === 'held');
        assert.equal(held.until, at + MINUTE);
        const claimed = claims.find((c) => c.kind === 'claimed');
        assert.ok(claimed?.kind === 'claimed');
        assert.equal(held.by, claimed.grant.revokeClaimedBy);
      }
    });

    test('a claim its replica left to run out is taken over; its own holder may renew it', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      const grant = await due(db.store);
      assert.equal((await db.store.claimRevocation(grant.id, { holder: 'a', at, until: at + MINUTE })).kind, 'claimed');
      assert.equal((await db.store.claimRevocation(grant.id, { holder: 'a', at: at + 1, until: at + 2 * MINUTE })).kind, 'claimed');
      assert.equal((await other.claimRevocation(grant.id, { holder: 'b', at: at + MINUTE, until: at + 3 * MINUTE })).kind, 'held');
      const taken = await other.claimRevocation(grant.id, { holder: 'b', at: at + 2 * MINUTE, until: at + 3 * MINUTE });
      assert.equal(taken.kind, 'claimed');
      assert.equal((await db.store.findGrant(grant.id))?.revokeClaimedBy, 'b');
    });

    test('a released claim is free at once; revoking clears the claim and a revoked grant cannot be claimed', async () => {
      const db = await fresh();
      const other = await db.openSecond();
      const grant = await due(db.store);
      assert.equal((await db.store.claimRevocation(grant.id, { holder: 'a', at, until: at + MINUTE })).kind, 'claimed');
      await other.releaseRevocationClaim(grant.id, 'b');
      assert.equal((await other.claimRevocation(grant.id, { holder: 'b', at, until: at + MINUTE })).kind, 'held', 'only its holder releases it');
      await db.store.releaseRevocationClaim(grant.id, 'a');
      assert.equal((await other.claimRevocation(grant.id, { holder: 'b', at, until: at + MINUTE })).kind, 'claimed');
      const revoked = await other.markRevoked(grant.id, 'expired', 'jitbot', at);
      assert.equal(revoked?.revokeClaimedBy, null);
      assert.equal(revoked?.revokeClaimUntil, null);
      assert.deepEqual(await db.store.claimRevocation(grant.id, { holder: 'a', at, until: at + MINUTE }), { kind: 'ended' });
      assert.deepEqual(await db.store.claimRevocation('grt_missing', { holder: 'a', at, until: at + MINUTE }), { kind: 'ended' });
    });
  });
}
