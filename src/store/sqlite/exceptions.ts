import { and, asc, count, desc, eq, gt, inArray, isNull, lt, lte, or } from 'drizzle-orm';
import type { ExceptionCloseReason } from '../../domain/states.js';
import { equalsIfGiven, pageAfter, type Db } from './database.js';
import { exceptions, type ExceptionRow } from './schema.js';
import type { ExceptionFilter, ExceptionTimer } from '../store.js';

/** Owns the `exceptions` table (opt-out exceptions). */
export type NewException = typeof exceptions.$inferInsert;

const LIVE = ['pending', 'open'] as const;

export function insertException(db: Db, exception: NewException): ExceptionRow {
  return db.insert(exceptions).values(exception).returning().get();
}

export function findException(db: Db, id: string): ExceptionRow | undefined {
  return db.select().from(exceptions).where(eq(exceptions.id, id)).get();
}

/** The person's pending or open exception for this resource (at most one, by a unique index). */
export function liveExceptionFor(db: Db, userId: string, resource: string): ExceptionRow | undefined {
  return db
    .select()
    .from(exceptions)
    .where(and(eq(exceptions.userId, userId), eq(exceptions.resource, resource), inArray(exceptions.status, [...LIVE])))
    .get();
}

export function liveExceptionsOf(db: Db, userId: string): ExceptionRow[] {
  return db
    .select()
    .from(exceptions)
    .where(and(eq(exceptions.userId, userId), inArray(exceptions.status, [...LIVE])))
    .orderBy(asc(exceptions.createdAt))
    .all();
}

export function openException(db: Db, id: string, by: string, at: number, endsAt: number): ExceptionRow | undefined {
  return db
    .update(exceptions)
    .set({ status: 'open', decidedBy: by, decidedAt: at, opensAt: at, endsAt })
    .where(and(eq(exceptions.id, id), eq(exceptions.status, 'pending')))
    .returning()
    .get();
}

export function denyException(db: Db, id: string, by: string, at: number): ExceptionRow | undefined {
  return db
    .update(exceptions)
    .set({ status: 'denied', decidedBy: by, decidedAt: at })
    .where(and(eq(exceptions.id, id), eq(exceptions.status, 'pending')))
    .returning()
    .get();
}

/** The one transition to `closed`; undefined when it is not open (or, for `expired`, not yet due). */
export function closeException(db: Db, id: string, reason: ExceptionCloseReason, by: string, at: number): ExceptionRow | undefined {
  const due = reason === 'expired' ? lte(exceptions.endsAt, at) : undefined;
  return db
    .update(exceptions)
    .set({ status: 'closed', closeReason: reason, closedBy: by, closedAt: at })
    .where(and(eq(exceptions.id, id), eq(exceptions.status, 'open'), due))
    .returning()
    .get();
}

export function markWarned(db: Db, id: string, at: number): ExceptionRow | undefined {
  return db
    .update(exceptions)
    .set({ warnedAt: at })
    .where(and(eq(exceptions.id, id), eq(exceptions.status, 'open'), isNull(exceptions.warnedAt)))
    .returning()
    .get();
}

export function countOpen(db: Db): number {
  return db.select({ n: count() }).from(exceptions).where(eq(exceptions.status, 'open')).get()?.n ?? 0;
}

export function setApprovalMessage(db: Db, id: string, channel: string, ts: string): void {
  db.update(exceptions).set({ approvalChannel: channel, approvalTs: ts }).where(eq(exceptions.id, id)).run();
}

export function exceptionsDueToClose(db: Db, now: number, limit: number): ExceptionRow[] {
  return db
    .select()
    .from(exceptions)
    .where(and(eq(exceptions.status, 'open'), lte(exceptions.endsAt, now)))
    .limit(limit)
    .all();
}

export function pendingWithoutApprovalMessage(db: Db, createdBefore: number, limit: number): ExceptionRow[] {
  return db
    .select()
    .from(exceptions)
    .where(and(eq(exceptions.status, 'pending'), isNull(exceptions.approvalTs), lt(exceptions.createdAt, createdBefore)))
    .limit(limit)
    .all();
}

/** Open exceptions, read in pages by end time: what the close and reminder timers should cover. */
export function openExceptionTimers(db: Db, afterEndsAt: number, afterId: string, limit: number): ExceptionTimer[] {
  return db
    .select({ id: exceptions.id, opensAt: exceptions.opensAt, endsAt: exceptions.endsAt, warnedAt: exceptions.warnedAt })
    .from(exceptions)
    .where(
      and(
        eq(exceptions.status, 'open'),
        or(and(eq(exceptions.endsAt, afterEndsAt), gt(exceptions.id, afterId)), gt(exceptions.endsAt, afterEndsAt)),
      ),
    )
    .orderBy(asc(exceptions.endsAt), asc(exceptions.id))
    .limit(limit)
    .all()
    .flatMap((e) => (e.opensAt === null || e.endsAt === null ? [] : [{ id: e.id, opensAt: e.opensAt, endsAt: e.endsAt, warned: e.warnedAt !== null }]));
}

/** Every exception, newest first; only pending and open ones unless `all`. For reviews and the CLI. */
export function listExceptions(db: Db, options: { all: boolean }): ExceptionRow[] {
  return db
    .select()
    .from(exceptions)
    .where(options.all ? undefined : inArray(exceptions.status, [...LIVE]))
    .orderBy(desc(exceptions.createdAt), asc(exceptions.id))
    .all();
}

/** A page of exceptions by (created_at, id), after the cursor. */
export function pageExceptions(db: Db, filter: ExceptionFilter, after: { at: number; id: string } | undefined, limit: number): ExceptionRow[] {
  return db
    .select()
    .from(exceptions)
    .where(
      and(
        equalsIfGiven(exceptions.userId, filter.userId),
        equalsIfGiven(exceptions.resource, filter.resource),
        equalsIfGiven(exceptions.status, filter.status),
        ...pageAfter(exceptions.createdAt, exceptions.id, filter, after),
      ),
    )
    .orderBy(asc(exceptions.createdAt), asc(exceptions.id))
    .limit(limit)
    .all();
}

/** Open exceptions in scope (an incident revoke-all). */
export function openExceptionsIn(db: Db, scope: { resource?: string | undefined; userId?: string | undefined }): ExceptionRow[] {
  return db
    .select()
    .from(exceptions)
    .where(and(eq(exceptions.status, 'open'), equalsIfGiven(exceptions.resource, scope.resource), equalsIfGiven(exceptions.userId, scope.userId)))
    .all();
}

/** The resources with exceptions waiting for a decision: who decides depends on nothing else. */
export function pendingExceptionResources(db: Db): string[] {
  return db.selectDistinct({ resource: exceptions.resource }).from(exceptions).where(eq(exceptions.status, 'pending')).all().map((r) => r.resource);
}

/** Exceptions for this resource waiting for a decision, oldest first. */
export function pendingExceptionsOn(db: Db, resource: string): ExceptionRow[] {
  return db.select().from(exceptions).where(and(eq(exceptions.status, 'pending'), eq(exceptions.resource, resource))).orderBy(asc(exceptions.createdAt), asc(exceptions.id)).all();
}
