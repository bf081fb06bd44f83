import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { and, asc, desc, eq, gt, gte, lt, sql } from 'drizzle-orm';
import { equalsIfGiven, preparedFor, type Db } from './database.js';
import { auditEvents, type AuditRow } from './schema.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEvent {
  at: number;
  /** A Slack user ID, or `jitbot` for the bot's own actions. */
  actor: string;
  /** `request.created`, `grant.revoked`, `decision.refused`, … */
  action: string;
  subjectType: 'request' | 'grant' | 'exception' | 'user' | 'policy' | 'review' | 'system';
  subjectId: string;
  resource?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

function eventHash(prevHash: string, row: Omit<AuditRow, 'seq' | 'prevHash' | 'hash'>): string {
  const body = canonicalize({ ...row, details: JSON.parse(row.details) as unknown }) ?? '';
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

const statements = preparedFor((db) => ({
  lastHash: db.select({ hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1).prepare(),
  insert: db
    .insert(auditEvents)
    .values({
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

/** Appends one event, chained to the previous one. Call inside the state change's transaction. */
export function appendAudit(db: Db, event: AuditEvent): void {
  const { lastHash, insert } = statements(db);
  const prevHash = lastHash.get()?.hash ?? GENESIS_HASH;
  const row = {
    at: event.at,
    actor: event.actor,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    resource: event.resource ?? null,
    reason: event.reason ?? null,
    details: JSON.stringify(event.details ?? {}),
  };
  insert.run({ ...row, prevHash, hash: eventHash(prevHash, row) });
}

export type ChainCheck = { ok: true; count: number } | { ok: false; count: number; brokenAt: number; problem: string };

/** Walks the whole chain in pages; reports the first event whose link does not hold. */
export function verifyAuditChain(db: Db, pageSize = 5_000): ChainCheck {
  let prevHash = GENESIS_HASH;
  let lastSeq = 0;
  let count = 0;
  for (;;) {
    const page = db.select().from(auditEvents).where(gt(auditEvents.seq, lastSeq)).orderBy(asc(auditEvents.seq)).limit(pageSize).all();
    if (page.length === 0) return { ok: true, count };
    for (const { seq, prevHash: storedPrev, hash, ...row } of page) {
      if (storedPrev !== prevHash) return { ok: false, count, brokenAt: seq, problem: 'previous-hash link does not match' };
      if (eventHash(prevHash, row) !== hash) return { ok: false, count, brokenAt: seq, problem: 'event content does not match its hash' };
      prevHash = hash;
      lastSeq = seq;
      count += 1;
    }
  }
}

export function auditEventsFor(db: Db, subjectId: string): AuditRow[] {
  return db.select().from(auditEvents).where(eq(auditEvents.subjectId, subjectId)).orderBy(asc(auditEvents.seq)).all();
}

/** Filters of the admin API's audit listing. */
export interface AuditFilter {
  actor?: string | undefined;
  action?: string | undefined;
  subjectId?: string | undefined;
  resource?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
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
