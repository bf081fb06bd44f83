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

async function insertKeyed(tx: Db, key: AuditKey, head: Position, event: Omit<StoredEvent, 'seq'>): Promise<Position> {
  const row = { ...event, seq: head.seq + 1 };
  const hash = keyedHash(key, head.hash, row);
  await tx.insert(auditEvents).values({ ...row, prevHash: head.hash, hash });
  return { seq: row.seq, hash };
}

/**
 * Appends one event chained to the previous one, inside the caller's transaction (see
 * transaction.ts: the head row is locked until it commits). Events copied from a SQLite file
 * written before the chain was keyed are sealed by a keyed marker first, as on SQLite.
 */
export async function appendAudit(tx: Db, key: AuditKey, event: AuditEvent): Promise<void> {
  const locked = await lockedHead(tx);
  let head: Position = { seq: locked.seq, hash: locked.hash };
  if (locked.event && locked.event.hash === unkeyedHash(locked.event.prevHash, stored(locked.event))) {
    head = await insertKeyed(tx, key, head, { at: event.at, actor: 'jitbot', action: CHAIN_KEYED, subjectType: 'system', subjectId: 'audit', resource: null, reason: null, details: JSON.stringify({ unkeyed_before: head.seq + 1 }) });
  }
  head = await insertKeyed(tx, key, head, {
    at: event.at,
    actor: event.actor,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    resource: event.resource ?? null,
    reason: event.reason ?? null,
    details: JSON.stringify(event.details ?? {}),
  });
  await tx.update(auditChainHead).set({ seq: head.seq, hash: head.hash }).where(eq(auditChainHead.id, 1));
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
