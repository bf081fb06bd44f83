import { and, asc, eq, gt, gte, lt, sql } from 'drizzle-orm';
import { CHAIN_KEYED, GENESIS_HASH, keyedHash, unkeyedHash, walkChainPage, chainVerdict, CHAIN_WALK_START, type AuditKey, type ChainCheck, type StoredEvent } from '../../domain/audit-chain.js';
import type { Db } from './database.js';
import { equalsIfGiven } from './query.js';
import { auditChainHead, auditEvents, type AuditRow } from './schema.js';
import type { AuditEvent, AuditFilter, Position } from '../store.js';

/** Owns `audit_events` and `audit_chain_head`: the hash-chained, append-only audit trail. */

export class AuditChainHeadMissing extends Error {
  override readonly name = 'AuditChainHeadMissing';
  constructor() {
    super('audit_chain_head has no row: the PostgreSQL migrations did not run to the end');
  }
}

const stored = ({ prevHash: _prev, hash: _hash, ...event }: AuditRow): StoredEvent => event;

/** The head row (locked) and the event it names, in one round trip. */
async function lockedHead(tx: Db): Promise<{ seq: number; hash: string; event: AuditRow | undefined }> {
  const [row] = await tx
    .select({ seq: auditChainHead.seq, hash: auditChainHead.hash, event: auditEvents })
    .from(auditChainHead)
    .leftJoin(auditEvents, eq(auditEvents.seq, auditChainHead.seq))
    .where(eq(auditChainHead.id, 1))
    .for('update', { of: auditChainHead });
  if (!row) throw new AuditChainHeadMissing();
  return { seq: row.seq, hash: row.hash, event: row.event ?? undefined };
}

type AuditInsert = typeof auditEvents.$inferInsert;

/**
 * A write transaction's view of the chain: the head it locked, and the events appended since,
 * written in one multi-row insert when the transaction's work is done (`flushChain`). The lock
 * is held from the first statement, so the head cannot move under it; nothing in a write
 * transaction reads back an event it appended.
 */
interface PendingChain {
  head: Position;
  /** The event the locked head names: checked once, for an unkeyed chain to seal. */
  headEvent: AuditRow | undefined;
  rows: AuditInsert[];
}
const pending = new WeakMap<Db, PendingChain>();

/** The first statement of every write transaction: locks the head row (see transaction.ts). */
export async function lockChain(tx: Db): Promise<void> {
  const locked = await lockedHead(tx);
  pending.set(tx, { head: { seq: locked.seq, hash: locked.hash }, headEvent: locked.event, rows: [] });
}

/** Writes what the transaction appended, and moves the head row: two statements however many events. */
export async function flushChain(tx: Db): Promise<void> {
  const chain = pending.get(tx);
  pending.delete(tx);
  if (!chain || chain.rows.length === 0) return;
  for (let i = 0; i < chain.rows.length; i += INSERT_ROWS) await tx.insert(auditEvents).values(chain.rows.slice(i, i + INSERT_ROWS));
  await tx.update(auditChainHead).set({ seq: chain.head.seq, hash: chain.head.hash }).where(eq(auditChainHead.id, 1));
}

/** Rows per INSERT: well under PostgreSQL's 65,535 bind parameters (11 a row). */
const INSERT_ROWS = 1_000;

function chainKeyed(chain: PendingChain, key: AuditKey, event: Omit<StoredEvent, 'seq'>): void {
  const row = { ...event, seq: chain.head.seq + 1 };
  const hash = keyedHash(key, chain.head.hash, row);
  chain.rows.push({ ...row, prevHash: chain.head.hash, hash });
  chain.head = { seq: row.seq, hash };
}

/**
 * Appends one event chained to the previous one, inside the caller's write transaction (see
 * transaction.ts: the head row is locked until it commits). Events copied from a SQLite file
 * written before the chain was keyed are sealed by a keyed marker first, as on SQLite.
 */
export async function appendAudit(tx: Db, key: AuditKey, event: AuditEvent): Promise<void> {
  const chain = pending.get(tx);
  if (!chain) throw new Error('appendAudit outside a write transaction: run it in writeTransaction (transaction.ts)');
  const { headEvent } = chain;
  if (chain.rows.length === 0 && headEvent && headEvent.hash === unkeyedHash(headEvent.prevHash, stored(headEvent))) {
    chainKeyed(chain, key, { at: event.at, actor: 'jitbot', action: CHAIN_KEYED, subjectType: 'system', subjectId: 'audit', resource: null, reason: null, details: JSON.stringify({ unkeyed_before: chain.head.seq + 1 }) });
  }
  chainKeyed(chain, key, {
    at: event.at,
    actor: event.actor,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    resource: event.resource ?? null,
    reason: event.reason ?? null,
    details: JSON.stringify(event.details ?? {}),
  });
  chain.headEvent = undefined;
}

/** Walks the whole chain in pages; reports the first event whose link does not hold. */
export async function verifyAuditChain(db: Db, key: AuditKey, pageSize = 5_000): Promise<ChainCheck> {
  let walk = CHAIN_WALK_START;
  for (;;) {
    const page = await db.select().from(auditEvents).where(gt(auditEvents.seq, walk.lastSeq)).orderBy(asc(auditEvents.seq)).limit(pageSize);
    if (page.length === 0) break;
    const step = walkChainPage(key, walk, page);
    if (!step.ok) return step.broken;
    walk = step.walk;
  }
  // The head row moves with every append, so a seq it names beyond the last event means events were removed.
  const [head] = await db.select({ seq: auditChainHead.seq }).from(auditChainHead).where(eq(auditChainHead.id, 1));
  return chainVerdict(walk, head?.seq ?? 0);
}

/** The last event's position in the chain. */
export async function auditHead(db: Db): Promise<Position | undefined> {
  const [head] = await db.select({ seq: auditEvents.seq, hash: auditEvents.hash }).from(auditEvents).orderBy(sql`${auditEvents.seq} desc`).limit(1);
  return head;
}

export async function auditEventAt(db: Db, seq: number): Promise<AuditRow | undefined> {
  const [row] = await db.select().from(auditEvents).where(eq(auditEvents.seq, seq));
  return row;
}

export async function auditEventsFor(db: Db, subjectId: string): Promise<AuditRow[]> {
  return db.select().from(auditEvents).where(eq(auditEvents.subjectId, subjectId)).orderBy(asc(auditEvents.seq));
}

/** A page of audit events in chain order, after `afterSeq`. */
export async function listAuditEvents(db: Db, filter: AuditFilter, afterSeq: number, limit: number): Promise<AuditRow[]> {
  return db
    .select()
    .from(auditEvents)
    .where(
      and(
        gt(auditEvents.seq, afterSeq),
        equalsIfGiven(auditEvents.actor, filter.actor),
        equalsIfGiven(auditEvents.action, filter.action),
        equalsIfGiven(auditEvents.subjectId, filter.subjectId),
        equalsIfGiven(auditEvents.resource, filter.resource),
        filter.since === undefined ? undefined : gte(auditEvents.at, filter.since),
        filter.until === undefined ? undefined : lt(auditEvents.at, filter.until),
      ),
    )
    .orderBy(asc(auditEvents.seq))
    .limit(limit);
}

export { GENESIS_HASH };
