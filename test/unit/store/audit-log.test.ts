import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { appendAudit, auditEventsFor, GENESIS_HASH, verifyAuditChain } from '../../../src/store/audit-log.js';
import { ALICE, approveInput, createPendingRequest, LEAD1, MINUTE, T0, tempStores, type TempStore } from './temp-store.js';

const stores = tempStores();
after(() => stores.cleanup());

/** A request approved, a second one denied, a refused click and a revoked grant: 9 events. */
function someActivity(t: TempStore): void {
  const first = createPendingRequest(t.store);
  t.store.approve(approveInput(first.id, ALICE)); // refused: self approval
  const outcome = t.store.approve(approveInput(first.id, LEAD1));
  assert.ok(outcome.kind === 'approved');
  const second = createPendingRequest(t.store, { reason: 'second look INC-2' });
  t.store.closeRequest(second.id, 'denied', LEAD1, T0 + 2 * MINUTE, 'no');
  t.store.markRevoked(outcome.grant.id, 'expired', 'jitbot', T0 + 40 * MINUTE);
  t.store.recordEvent({ at: T0 + 41 * MINUTE, actor: 'U0BOB', action: 'decision.refused', subjectType: 'grant', subjectId: outcome.grant.id, details: { nested: { b: 1, a: [1, 2] } } });
}

const seqs = (t: TempStore) => (t.open.sqlite.prepare('select seq from audit_events order by seq').all() as { seq: number }[]).map((r) => r.seq);

describe('the audit chain', () => {
  test('an empty log verifies with zero events', () => {
    const t = stores.fresh();
    assert.deepEqual(verifyAuditChain(t.open.db), { ok: true, count: 0 });
  });

  test('after some activity the chain verifies and counts every event', () => {
    const t = stores.fresh();
    someActivity(t);
    assert.equal(t.count('audit_events'), 9);
    assert.deepEqual(verifyAuditChain(t.open.db), { ok: true, count: 9 });
  });

  test('verification reads across page boundaries the same way', () => {
    const t = stores.fresh();
    someActivity(t);
    assert.deepEqual(verifyAuditChain(t.open.db, 2), { ok: true, count: 9 });
  });

  test('the first event links to the genesis hash and each later one to its predecessor', () => {
    const t = stores.fresh();
    someActivity(t);
    const rows = t.open.sqlite.prepare('select prev_hash, hash from audit_events order by seq').all() as { prev_hash: string; hash: string }[];
    assert.equal(rows[0]?.prev_hash, GENESIS_HASH);
    rows.slice(1).forEach((row, i) => assert.equal(row.prev_hash, rows[i]?.hash));
    assert.equal(new Set(rows.map((r) => r.hash)).size, rows.length, 'every hash is different');
  });

  test('events written through two connections to the same file form one valid chain', () => {
    const t = stores.fresh();
    const other = t.reopen();
    const a = createPendingRequest(t.store);
    const b = createPendingRequest(other.store);
    other.store.approve(approveInput(a.id, LEAD1));
    t.store.closeRequest(b.id, 'cancelled', ALICE, T0 + MINUTE);
    assert.deepEqual(verifyAuditChain(other.open.db), { ok: true, count: 6 });
  });

  test("altering one event's reason in the file is detected at exactly that event", () => {
    const t = stores.fresh();
    someActivity(t);
    const target = seqs(t)[4];
    assert.ok(target !== undefined);
    t.open.sqlite.exec('DROP TRIGGER audit_events_no_update');
    t.open.sqlite.prepare("update audit_events set reason = 'nothing to see here' where seq = ?").run(target);

    const check = verifyAuditChain(t.open.db);
    assert.equal(check.ok, false);
    assert.ok(!check.ok);
    assert.equal(check.brokenAt, target);
    assert.equal(check.count, 4, 'the events before it still verify');
    assert.match(check.problem, /content does not match/);
  });

  test('altering the details JSON is detected too', () => {
    const t = stores.fresh();
    someActivity(t);
    const last = seqs(t).at(-1);
    t.open.sqlite.exec('DROP TRIGGER audit_events_no_update');
    t.open.sqlite.prepare(`update audit_events set details = '{"nested":{"a":[1,2],"b":2}}' where seq = ?`).run(last);
    const check = verifyAuditChain(t.open.db);
    assert.ok(!check.ok);
    assert.equal(check.brokenAt, last);
  });

  test('re-serialising the details JSON without changing its meaning still verifies', () => {
    const t = stores.fresh();
    someActivity(t);
    const last = seqs(t).at(-1);
    t.open.sqlite.exec('DROP TRIGGER audit_events_no_update');
    t.open.sqlite.prepare(`update audit_events set details = '{ "nested": { "a": [1, 2], "b": 1 } }' where seq = ?`).run(last);
    assert.deepEqual(verifyAuditChain(t.open.db), { ok: true, count: 9 });
  });

  test('removing an event breaks the link at the event after it', () => {
    const t = stores.fresh();
    someActivity(t);
    const all = seqs(t);
    const removed = all[3];
    t.open.sqlite.exec('DROP TRIGGER audit_events_no_delete');
    t.open.sqlite.prepare('delete from audit_events where seq = ?').run(removed);

    const check = verifyAuditChain(t.open.db);
    assert.ok(!check.ok);
    assert.equal(check.brokenAt, all[4]);
    assert.match(check.problem, /previous-hash link/);
  });

  test('with the triggers in place, an UPDATE on audit_events is refused as append-only', () => {
    const t = stores.fresh();
    someActivity(t);
    assert.throws(() => t.open.sqlite.prepare("update audit_events set reason = 'x' where seq = 1").run(), /append-only/);
    assert.deepEqual(verifyAuditChain(t.open.db), { ok: true, count: 9 });
  });

  test('with the triggers in place, a DELETE on audit_events is refused as append-only', () => {
    const t = stores.fresh();
    someActivity(t);
    assert.throws(() => t.open.sqlite.prepare('delete from audit_events where seq = 1').run(), /append-only/);
    assert.equal(t.count('audit_events'), 9);
  });

  test('appendAudit outside the store chains onto the existing log', () => {
    const t = stores.fresh();
    someActivity(t);
    appendAudit(t.open.db, { at: T0, actor: 'jitbot', action: 'system.started', subjectType: 'system', subjectId: 'jitbot' });
    assert.deepEqual(verifyAuditChain(t.open.db), { ok: true, count: 10 });
  });

  test('auditEventsFor lists one subject’s events in order', () => {
    const t = stores.fresh();
    const request = createPendingRequest(t.store);
    createPendingRequest(t.store);
    t.store.closeRequest(request.id, 'cancelled', ALICE, T0 + MINUTE);
    assert.deepEqual(
      auditEventsFor(t.open.db, request.id).map((e) => e.action),
      ['request.created', 'request.cancelled'],
    );
  });
});
