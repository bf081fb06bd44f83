import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkpointSignatureValid, GENESIS_HASH } from '../../../../src/domain/audit-chain.js';
import { AUDIT_START, type Store } from '../../../../src/store/store.js';
import { TEST_AUDIT_KEY } from '../../../support/audit-key.js';
import { ALICE, approveInput, auditEvents, BOB, createPendingRequest, HOUR, LEAD1, MINUTE, T0, type Fresh } from './harness.js';

/** A request approved, a second one denied, a refused click, a revoked grant and a recorded event: 9 events. */
async function someActivity(store: Store): Promise<void> {
  const first = await createPendingRequest(store);
  await store.approve(approveInput(first.id, ALICE)); // refused: self approval
  const outcome = await store.approve(approveInput(first.id, LEAD1));
  assert.ok(outcome.kind === 'approved');
  const second = await createPendingRequest(store, { reason: 'second look INC-2', createdAt: T0 + MINUTE });
  await store.closeRequest(second.id, 'denied', LEAD1, T0 + 2 * MINUTE, 'no');
  await store.markRevoked(outcome.grant.id, 'expired', 'jitbot', T0 + 40 * MINUTE);
  await store.recordEvent({ at: T0 + 41 * MINUTE, actor: BOB, action: 'decision.refused', subjectType: 'grant', subjectId: outcome.grant.id, details: { nested: { b: 1, a: [1, 2] } } });
}

/** The chain's verdict without its head (compared separately). */
async function verified(store: Store) {
  const check = await store.verifyAuditChain();
  return check.ok ? { ok: true, count: check.count, unkeyed: check.unkeyed } : check;
}

const STREAM = 'siem';

export function auditCases(fresh: Fresh): void {
  describe('audit', () => {
    test('an empty log verifies with zero events and has no head', async () => {
      const { store } = await fresh();
      assert.deepEqual(await store.verifyAuditChain(), { ok: true, count: 0, unkeyed: 0, head: undefined });
      assert.equal(await store.auditHead(), undefined);
    });

    test('after some activity the chain verifies, counts every event, and its head is the last event', async () => {
      const { store } = await fresh();
      await someActivity(store);
      const events = await auditEvents(store);
      assert.equal(events.length, 9);
      assert.deepEqual(events.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const last = events.at(-1);
      assert.ok(last);
      const check = await store.verifyAuditChain();
      assert.deepEqual(check, { ok: true, count: 9, unkeyed: 0, head: { seq: last.seq, hash: last.hash } });
      assert.deepEqual(await store.auditHead(), { seq: last.seq, hash: last.hash });
      assert.deepEqual(await store.auditEventAt(last.seq), last);
      assert.equal(await store.auditEventAt(last.seq + 1), undefined);
    });

    test('the first event links to the genesis hash and each later one to its predecessor', async () => {
      const { store } = await fresh();
      await someActivity(store);
      const events = await auditEvents(store);
      assert.equal(events[0]?.prevHash, GENESIS_HASH);
      events.slice(1).forEach((event, i) => assert.equal(event.prevHash, events[i]?.hash));
      assert.equal(new Set(events.map((e) => e.hash)).size, events.length, 'every hash is different');
    });

    test('details are kept as JSON text exactly as hashed', async () => {
      const { store } = await fresh();
      await store.recordEvent({ at: T0, actor: BOB, action: 'decision.refused', subjectType: 'user', subjectId: BOB, details: { nested: { b: 1, a: [1, 2] } } });
      await store.recordEvent({ at: T0, actor: BOB, action: 'decision.refused', subjectType: 'user', subjectId: BOB });
      const events = await auditEvents(store);
      assert.deepEqual(events.map((e) => JSON.parse(e.details)), [{ nested: { b: 1, a: [1, 2] } }, {}]);
      assert.deepEqual(events.map((e) => [e.resource, e.reason]), [[null, null], [null, null]]);
    });

    test('listing filters by actor, action, subject, resource and time, after a seq, up to a limit', async () => {
      const { store } = await fresh();
      await someActivity(store);
      const seqs = async (filter: Parameters<Store['listAuditEvents']>[0], afterSeq = 0, limit = 100) => (await store.listAuditEvents(filter, afterSeq, limit)).map((e) => e.seq);
      assert.deepEqual(await seqs({ actor: ALICE }), [1, 2, 6]);
      assert.deepEqual(await seqs({ action: 'request.created' }), [1, 6]);
      assert.deepEqual(await seqs({ resource: 'prod-db' }, 0, 100), [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.deepEqual(await seqs({ since: T0 + 2 * MINUTE, until: T0 + 41 * MINUTE }), [7, 8]);
      assert.deepEqual(await seqs({}, 3, 2), [4, 5]);
      const [grantCreated] = await auditEvents(store, { action: 'grant.created' });
      assert.ok(grantCreated);
      assert.deepEqual(await seqs({ subjectId: grantCreated.subjectId }), [5, 8, 9]);
    });

    test('a checkpoint of the head is signed with the audit key', async () => {
      const { store } = await fresh();
      await someActivity(store);
      const head = await store.auditHead();
      assert.ok(head);
      const checkpoint = store.auditCheckpoint(head, T0 + HOUR);
      assert.deepEqual([checkpoint.seq, checkpoint.head_hash, checkpoint.at], [head.seq, head.hash, new Date(T0 + HOUR).toISOString()]);
      assert.equal(checkpointSignatureValid(TEST_AUDIT_KEY, checkpoint), true);
      assert.equal(checkpointSignatureValid('another-key-of-thirty-two-characters!!', checkpoint), false);
    });

    test('verifying with another key than the one the chain was written with fails at the first event, saying so', async () => {
      const db = await fresh();
      await someActivity(db.store);
      const other = await db.openSecond({ auditKey: 'another-key-of-thirty-two-characters!!' });
      const check = await other.verifyAuditChain();
      assert.ok(!check.ok, 'the chain is refused');
      assert.equal(check.brokenAt, 1);
      assert.match(check.problem, /AUDIT_HMAC_KEY is not the key it was written with/);
    });

    test('a forwarding stream starts at the beginning, moves to a delivered position, and keeps it through an error', async () => {
      const { store } = await fresh();
      assert.deepEqual(await store.auditPosition(STREAM), { ok: true, position: AUDIT_START });
      await someActivity(store);
      const [, , third] = await auditEvents(store);
      assert.ok(third);
      await store.markAuditDelivered(STREAM, { seq: third.seq, hash: third.hash }, T0 + HOUR);
      assert.deepEqual(await store.auditPosition(STREAM), { ok: true, position: { seq: 3, hash: third.hash } });
      await store.noteAuditDeliveryError(STREAM, 'HTTP 503', T0 + HOUR + 1);
      assert.deepEqual(await store.auditPosition(STREAM), { ok: true, position: { seq: 3, hash: third.hash } });
      assert.deepEqual(await store.auditPosition('another-stream'), { ok: true, position: AUDIT_START }, 'each stream has its own');
      await store.noteAuditDeliveryError('failing-from-the-start', 'HTTP 503', T0);
      assert.deepEqual(await store.auditPosition('failing-from-the-start'), { ok: true, position: AUDIT_START });
    });

    test('a position signed with another key, or naming an event that is not there, is refused', async () => {
      const db = await fresh();
      await someActivity(db.store);
      const head = await db.store.auditHead();
      assert.ok(head);
      await db.store.markAuditDelivered(STREAM, head, T0);
      const other = await db.openSecond({ auditKey: 'another-key-of-thirty-two-characters!!' });
      const check = await other.auditPosition(STREAM);
      assert.ok(!check.ok);
      assert.equal(check.seq, 9);
      assert.match(check.problem, /not signed with AUDIT_HMAC_KEY/);

      await db.store.markAuditDelivered('ahead', { seq: 99, hash: head.hash }, T0);
      const ahead = await db.store.auditPosition('ahead');
      assert.ok(!ahead.ok);
      assert.match(ahead.problem, /no longer in the audit log/);
    });

    test('an operator resumes a stream after a seq (0: from the start), audited; an unknown seq changes nothing', async () => {
      const { store } = await fresh();
      await someActivity(store);
      const head = await store.auditHead();
      assert.ok(head);
      await store.markAuditDelivered(STREAM, head, T0);
      const fifth = await store.auditEventAt(5);
      assert.ok(fifth);
      assert.deepEqual(await store.resumeAuditForwarding(STREAM, 5, ALICE, T0 + HOUR), { seq: 5, hash: fifth.hash });
      assert.deepEqual(await store.auditPosition(STREAM), { ok: true, position: { seq: 5, hash: fifth.hash } });
      assert.deepEqual(await store.resumeAuditForwarding(STREAM, 0, ALICE, T0 + HOUR), AUDIT_START);
      assert.deepEqual(await store.auditPosition(STREAM), { ok: true, position: AUDIT_START });
      const countBefore = (await auditEvents(store)).length;
      assert.equal(await store.resumeAuditForwarding(STREAM, 999, ALICE, T0 + HOUR), undefined);
      assert.equal((await auditEvents(store)).length, countBefore);
      const resumed = await auditEvents(store, { action: 'audit.forwarding_resumed' });
      assert.deepEqual(resumed.map((e) => [e.actor, e.subjectId, JSON.parse(e.details)]), [
        [ALICE, STREAM, { after_seq: 5, stored_seq_before: 9 }],
        [ALICE, STREAM, { after_seq: 0, stored_seq_before: 5 }],
      ]);
      assert.deepEqual((await store.resumeAuditForwarding('new-stream', 0, ALICE, T0)), AUDIT_START);
      const [ofNewStream] = await auditEvents(store, { subjectId: 'new-stream' });
      assert.equal(JSON.parse(ofNewStream?.details ?? '{}').stored_seq_before, null);
    });

    describe('tampering with the database', () => {
      test('with the guards in place, an UPDATE or DELETE of an audit event is refused as append-only', async () => {
        const db = await fresh();
        await someActivity(db.store);
        await assert.rejects(db.sql("update audit_events set reason = 'x' where seq = 1"), /append-only/);
        await assert.rejects(db.sql('delete from audit_events where seq = 1'), /append-only/);
        assert.deepEqual(await verified(db.store), { ok: true, count: 9, unkeyed: 0 });
      });

      test("altering one event's reason is detected at exactly that event", async () => {
        const db = await fresh();
        await someActivity(db.store);
        await db.dropAuditGuards();
        await db.sql("update audit_events set reason = 'nothing to see here' where seq = 5");
        const check = await db.store.verifyAuditChain();
        assert.ok(!check.ok);
        assert.deepEqual([check.brokenAt, check.count], [5, 4], 'the events before it still verify');
        assert.match(check.problem, /content does not match/);
      });

      test('altering the details JSON is detected; re-serialising it without changing its meaning still verifies', async () => {
        const db = await fresh();
        await someActivity(db.store);
        await db.dropAuditGuards();
        await db.sql(`update audit_events set details = '{ "nested": { "a": [1, 2], "b": 1 } }' where seq = 9`);
        assert.deepEqual(await verified(db.store), { ok: true, count: 9, unkeyed: 0 });
        await db.sql(`update audit_events set details = '{"nested":{"a":[1,2],"b":2}}' where seq = 9`);
        const check = await db.store.verifyAuditChain();
        assert.ok(!check.ok);
        assert.equal(check.brokenAt, 9);
      });

      test('removing an event breaks the link at the event after it', async () => {
        const db = await fresh();
        await someActivity(db.store);
        await db.dropAuditGuards();
        await db.sql('delete from audit_events where seq = 4');
        const check = await db.store.verifyAuditChain();
        assert.ok(!check.ok);
        assert.equal(check.brokenAt, 5);
        assert.match(check.problem, /previous-hash link/);
      });

      test('deleting the last events is detected, though what is left still links up', async () => {
        const db = await fresh();
        await someActivity(db.store);
        await db.dropAuditGuards();
        await db.sql('delete from audit_events where seq > 7');
        const check = await db.store.verifyAuditChain();
        assert.ok(!check.ok, 'the chain is refused');
        assert.equal(check.brokenAt, 8);
        assert.match(check.problem, /events after seq 7 were removed \(the log once reached seq 9\)/);
      });

      test('renumbering an event (seq is hashed too) is detected at that event', async () => {
        const db = await fresh();
        await someActivity(db.store);
        await db.dropAuditGuards();
        await db.sql('update audit_events set seq = 100 where seq = 9');
        const check = await db.store.verifyAuditChain();
        assert.ok(!check.ok, 'the chain is refused');
        assert.equal(check.brokenAt, 100);
      });
    });
  });
}
