/** What only the SQLite adapter's audit log does (the chain's contract is in contract/audit.ts): paging, its own helpers, forging with sqlite_sequence, chains from before AUDIT_HMAC_KEY. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { appendAudit, auditEventsFor, GENESIS_HASH, verifyAuditChain } from '../../../src/store/sqlite/audit-log.js';
import type { Db } from '../../../src/store/sqlite/database.js';
import type { ChainCheck } from '../../../src/store/store.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { createHash, createHmac } from 'node:crypto';
import canonicalize from 'canonicalize';
import { ALICE, approveInput, createPendingRequest, LEAD1, MINUTE, T0, tempStores, type TempStore } from './temp-store.js';

const stores = tempStores();
after(() => stores.cleanup());

/** A request approved, a second one denied, a refused click and a revoked grant: 9 events. */
async function someActivity(t: TempStore): Promise<void> {
  const first = await createPendingRequest(t.store);
  await t.store.approve(approveInput(first.id, ALICE)); // refused: self approval
  const outcome = await t.store.approve(approveInput(first.id, LEAD1));
  assert.ok(outcome.kind === 'approved');
  const second = await createPendingRequest(t.store, { reason: 'second look INC-2' });
  await t.store.closeRequest(second.id, 'denied', LEAD1, T0 + 2 * MINUTE, 'no');
  await t.store.markRevoked(outcome.grant.id, 'expired', 'jitbot', T0 + 40 * MINUTE);
  await t.store.recordEvent({ at: T0 + 41 * MINUTE, actor: 'U0BOB', action: 'decision.refused', subjectType: 'grant', subjectId: outcome.grant.id, details: { nested: { b: 1, a: [1, 2] } } });
}

/** The chain checked with the test key; a good chain as `{ ok, count }`. */
function verified(db: Db, pageSize?: number): ChainCheck | { ok: true; count: number } {
  const check = verifyAuditChain(db, TEST_AUDIT_KEY, pageSize);
  return check.ok ? { ok: true, count: check.count } : check;
}

describe('the SQLite audit chain', () => {
  test('verification reads across page boundaries the same way', async () => {
    const t = stores.fresh();
    await someActivity(t);
    assert.deepEqual(verified(t.open.db, 2), { ok: true, count: 9 });
  });

  test('appendAudit outside the store chains onto the existing log', async () => {
    const t = stores.fresh();
    await someActivity(t);
    appendAudit(t.open.db, { at: T0, actor: 'jitbot', action: 'system.started', subjectType: 'system', subjectId: 'jitbot' });
    assert.deepEqual(verified(t.open.db), { ok: true, count: 10 });
  });

  test('auditEventsFor lists one subject’s events in order', async () => {
    const t = stores.fresh();
    const request = await createPendingRequest(t.store);
    await createPendingRequest(t.store);
    await t.store.closeRequest(request.id, 'cancelled', ALICE, T0 + MINUTE);
    assert.deepEqual(
      auditEventsFor(t.open.db, request.id).map((e) => e.action),
      ['request.created', 'request.cancelled'],
    );
  });

  test('the trigger dropped, a break-glass grant’s events deleted and every hash recomputed (as plain SHA-256, or keyed with another key): verify fails', async () => {
    for (const rehash of [rehashUnkeyed, (row: RawRow, prev: string) => rehashKeyed('a-guessed-key-that-is-not-the-real-one', row, prev)]) {
      const t = stores.fresh();
      await someActivity(t);
      await t.store.recordEvent({ at: T0 + 42 * MINUTE, actor: ALICE, action: 'break_glass.used', subjectType: 'grant', subjectId: 'grt-breakglass', reason: 'emergency' });
      await t.store.recordEvent({ at: T0 + 43 * MINUTE, actor: 'jitbot', action: 'grant.revoked', subjectType: 'grant', subjectId: 'grt-breakglass', reason: 'expired' });
      await t.store.recordEvent({ at: T0 + 44 * MINUTE, actor: LEAD1, action: 'decision.refused', subjectType: 'request', subjectId: 'req-later' });
      forgeWithout(t, 'grt-breakglass', rehash);
      assert.equal(t.count('audit_events'), 10);
      const check = verified(t.open.db);
      assert.ok(!check.ok, 'the rewritten chain is refused');
      assert.match(check.problem, /no event is keyed|content does not match its hash/);
    }
  });

  test('an unkeyed chain from before AUDIT_HMAC_KEY is sealed by the first keyed append, then verifies and is reported as unkeyed', async () => {
    const t = stores.fresh();
    writeUnkeyed(t, 3);
    assert.match(String((verified(t.open.db) as { problem?: string }).problem), /no event is keyed: all 3 could have been rewritten/);

    await t.store.recordEvent({ at: T0 + 5 * MINUTE, actor: LEAD1, action: 'decision.refused', subjectType: 'request', subjectId: 'req-new' });
    const rows = t.open.sqlite.prepare('select seq, action, details from audit_events where seq > 3 order by seq').all();
    assert.deepEqual(rows.map((r) => ({ ...(r as object) })), [
      { seq: 4, action: 'audit.chain_keyed', details: '{"unkeyed_before":4}' },
      { seq: 5, action: 'decision.refused', details: '{}' },
    ]);
    const check = verifyAuditChain(t.open.db, TEST_AUDIT_KEY);
    assert.ok(check.ok, 'the chain verifies');
    assert.deepEqual([check.count, check.unkeyed, check.head?.seq], [5, 3, 5]);
    assert.equal((await t.reopen().store.auditHead())?.seq, 5, 'another connection does not seal twice');
  });

  test('an unkeyed prefix can no longer be rewritten once sealed, nor an unkeyed event slipped in after the keyed ones', async () => {
    const t = stores.fresh();
    writeUnkeyed(t, 3);
    await t.store.recordEvent({ at: T0 + 5 * MINUTE, actor: LEAD1, action: 'decision.refused', subjectType: 'request', subjectId: 'req-new' });
    t.open.sqlite.exec('DROP TRIGGER audit_events_no_update');
    t.open.sqlite.prepare("update audit_events set actor = 'U0EVE' where seq = 2").run();
    forge(t, (row, prev) => (row.seq <= 3 ? rehashUnkeyed(row, prev) : row.hash));
    const check = verified(t.open.db);
    assert.ok(!check.ok, 'the chain is refused');
    assert.equal(check.brokenAt, 4, 'the seal no longer matches the prefix');

    const u = stores.fresh();
    await someActivity(u);
    u.open.sqlite.exec('DROP TRIGGER audit_events_no_update');
    u.open.sqlite.prepare("update audit_events set reason = 'forged' where seq = 9").run();
    forge(u, (row, prev) => (row.seq === 9 ? rehashUnkeyed(row, prev) : row.hash));
    const after = verified(u.open.db);
    assert.ok(!after.ok, 'the chain is refused');
    assert.equal(after.brokenAt, 9);
  });
});

/** An audit row as SQLite holds it. */
interface RawRow {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  resource: string | null;
  reason: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/** What an attacker with the file can compute: the body hashed before jitbot keyed it. */
const body = (row: RawRow, withSeq: boolean) =>
  canonicalize({
    ...(withSeq ? { seq: row.seq } : {}),
    at: row.at,
    actor: row.actor,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    resource: row.resource,
    reason: row.reason,
    details: JSON.parse(row.details) as unknown,
  }) ?? '';
const rehashUnkeyed = (row: RawRow, prev: string) => createHash('sha256').update(prev).update(body(row, false)).digest('hex');
const rehashKeyed = (key: string, row: RawRow, prev: string) => createHmac('sha256', key).update(prev).update(body(row, true)).digest('hex');

/** Rewrites every prev_hash and hash in chain order with `rehash` (given the row and its new predecessor). */
function forge(t: TempStore, rehash: (row: RawRow, prev: string) => string): void {
  t.open.sqlite.exec('DROP TRIGGER IF EXISTS audit_events_no_update');
  const rows = t.open.sqlite.prepare('select * from audit_events order by seq').all() as RawRow[];
  let prev = GENESIS_HASH;
  for (const row of rows) {
    const hash = rehash(row, prev);
    t.open.sqlite.prepare('update audit_events set prev_hash = ?, hash = ? where seq = ?').run(prev, hash, row.seq);
    prev = hash;
  }
}

/** The attack of the security issue: a subject's events deleted, the rest renumbered and rehashed, SQLite's counter reset. */
function forgeWithout(t: TempStore, subjectId: string, rehash: (row: RawRow, prev: string) => string): void {
  t.open.sqlite.exec('DROP TRIGGER audit_events_no_delete; DROP TRIGGER audit_events_no_update');
  t.open.sqlite.prepare('delete from audit_events where subject_id = ?').run(subjectId);
  const left = t.open.sqlite.prepare('select seq from audit_events order by seq').pluck().all() as number[];
  left.forEach((seq, i) => t.open.sqlite.prepare('update audit_events set seq = ? where seq = ?').run(i + 1, seq));
  t.open.sqlite.prepare("update sqlite_sequence set seq = ? where name = 'audit_events'").run(left.length);
  forge(t, rehash);
}

/** `count` events as a jitbot before AUDIT_HMAC_KEY wrote them (plain SHA-256, no seq in the hash). */
function writeUnkeyed(t: TempStore, count: number): void {
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq += 1) {
    const row: RawRow = { seq, at: T0 + seq, actor: ALICE, action: 'request.created', subject_type: 'request', subject_id: `req-old${seq}`, resource: 'prod-db', reason: 'INC-1', details: '{}', prev_hash: prev, hash: '' };
    row.hash = rehashUnkeyed(row, prev);
    t.open.sqlite
      .prepare('insert into audit_events (seq, at, actor, action, subject_type, subject_id, resource, reason, details, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(row.seq, row.at, row.actor, row.action, row.subject_type, row.subject_id, row.resource, row.reason, row.details, row.prev_hash, row.hash);
    prev = row.hash;
  }
}
