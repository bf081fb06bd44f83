import { and, asc, desc, eq, gt, gte, lt, sql } from 'drizzle-orm';
import { CHAIN_KEYED, CHAIN_WALK_START, GENESIS_HASH, chainVerdict, keyedHash, unkeyedHash, walkChainPage, type AuditKey, type ChainCheck, type StoredEvent } from '../../domain/audit-chain.js';
import { equalsIfGiven, preparedFor, type Db } from './database.js';
import { auditEvents, type AuditRow } from './schema.js';
import type { AuditEvent, AuditFilter } from '../store.js';

export { GENESIS_HASH };

export { CHAIN_KEYED, type ChainCheck };

export class AuditKeyMissing extends Error {
  override readonly name = 'AuditKeyMissing';
  constructor() {
    super('no AUDIT_HMAC_KEY was given to this database connection (createStore takes it)');
  }
}

/** Per connection: the chain's key, and whether its head is known to be keyed already. */
const chains = new WeakMap<Db, { key: AuditKey; sealed: boolean }>();

/** Gives a connection the key its audit appends are chained with (createStore does this). */
export function useAuditKey(db: Db, key: AuditKey): void {
  chains.set(db, { key, sealed: false });
}

const statements = preparedFor((db) => ({
  head: db.select().from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1).prepare(),
  insert: db
    .insert(auditEvents)
    .values({
      seq: sql.placeholder('seq'),
      at: sql.placeholder('at'),
      actor: sql.placeholder('actor'),
      action: sql.placeholder('action'),
      subjectType: sql.placeholder('subjectType'),
      subjectId: sql.placeholder('subjectId'),
      resource: sql.placeholder('resource'),
      reason: sql.placeholder('reason'),
      details: sql.placeholder('details'),
      prevHash: sql.placeholder('prevHash'),
      hash: sql.placeholder('hash'),
    })
    .prepare(),
}));

const stored = ({ prevHash: _prev, hash: _hash, ...event }: AuditRow): StoredEvent => event;

function insertKeyed(db: Db, key: AuditKey, head: AuditRow | undefined, event: Omit<StoredEvent, 'seq'>): AuditRow {
  const prevHash = head?.hash ?? GENESIS_HASH;
  const row = { ...event, seq: (head?.seq ?? 0) + 1 };
  const hash = keyedHash(key, prevHash, row);
  statements(db).insert.run({ ...row, prevHash, hash });
  return { ...row, prevHash, hash };
}

/** Appends one event, chained to the previous one. Call inside the state change's transaction. */
export function appendAudit(db: Db, event: AuditEvent): void {
  const chain = chains.get(db);
  if (!chain) throw new AuditKeyMissing();
  let head = statements(db).head.get();
  // The first append after an upgrade seals the unkeyed events before it with a keyed marker.
  if (!chain.sealed && head && head.hash === unkeyedHash(head.prevHash, stored(head))) {
    head = insertKeyed(db, chain.key, head, { at: event.at, actor: 'jitbot', action: CHAIN_KEYED, subjectType: 'system', subjectId: 'audit', resource: null, reason: null, details: JSON.stringify({ unkeyed_before: head.seq + 1 }) });
  }
  chain.sealed = true;
  insertKeyed(db, chain.key, head, {
    at: event.at,
    actor: event.actor,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    resource: event.resource ?? null,
    reason: event.reason ?? null,
    details: JSON.stringify(event.details ?? {}),
  });
}

/** The highest `seq` the table ever handed out (SQLite's AUTOINCREMENT counter). */
function highestSeqEver(db: Db): number {
  return db.get<{ seq: number } | undefined>(sql`select seq from sqlite_sequence where name = 'audit_events'`)?.seq ?? 0;
}

/** Walks the whole chain in pages; reports the first event whose link does not hold. */
export function verifyAuditChain(db: Db, key: AuditKey, pageSize = 5_000): ChainCheck {
  let walk = CHAIN_WALK_START;
  for (;;) {
    const page = db.select().from(auditEvents).where(gt(auditEvents.seq, walk.lastSeq)).orderBy(asc(auditEvents.seq)).limit(pageSize).all();
    if (page.length === 0) break;
    const step = walkChainPage(key, walk, page);
    if (!step.ok) return step.broken;
    walk = step.walk;
  }
  return chainVerdict(walk, highestSeqEver(db));
}

/** The last event's position in the chain. */
export function auditHead(db: Db): { seq: number; hash: string } | undefined {
  const head = statements(db).head.get();
  return head ? { seq: head.seq, hash: head.hash } : undefined;
}

export function auditEventAt(db: Db, seq: number): AuditRow | undefined {
  return db.select().from(auditEvents).where(eq(auditEvents.seq, seq)).get();
}

export function auditEventsFor(db: Db, subjectId: string): AuditRow[] {
  return db.select().from(auditEvents).where(eq(auditEvents.subjectId, subjectId)).orderBy(asc(auditEvents.seq)).all();
}

/** A page of audit events in chain order, after `afterSeq`. */
export function listAuditEvents(db: Db, filter: AuditFilter, afterSeq: number, limit: number): AuditRow[] {
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
    .limit(limit)
    .all();
}
