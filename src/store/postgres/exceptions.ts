import { and, asc, count, desc, eq, gt, inArray, isNull, lt, lte, or } from 'drizzle-orm';
import type { ExceptionCloseReason } from '../../domain/states.js';
import type { Db } from './database.js';
import { equalsIfGiven, pageAfter } from './query.js';
import { exceptions, type ExceptionRow } from './schema.js';
import type { ExceptionFilter, ExceptionTimer } from '../store.js';

/** Owns the `exceptions` table (opt-out exceptions). */
export type NewException = typeof exceptions.$inferInsert;

const LIVE = ['pending', 'open'] as const;

export async function insertException(db: Db, exception: NewException): Promise<ExceptionRow> {
  const [row] = await db.insert(exceptions).values(exception).returning();
  if (!row) throw new Error(`exception ${exception.id} was not inserted`);
  return row;
}

export async function findException(db: Db, id: string): Promise<ExceptionRow | undefined> {
  const [row] = await db.select().from(exceptions).where(eq(exceptions.id, id));
  return row;
}

/** The person's pending or open exception for this resource (at most one, by a unique index). */
export async function liveExceptionFor(db: Db, userId: string, resource: string): Promise<ExceptionRow | undefined> {
  const [row] = await db
    .select()
    .from(exceptions)
    .where(and(eq(exceptions.userId, userId), eq(exceptions.resource, resource), inArray(exceptions.status, [...LIVE])));
  return row;
}

export async function liveExceptionsOf(db: Db, userId: string): Promise<ExceptionRow[]> {
  return db
    .select()
    .from(exceptions)
    .where(and(eq(exceptions.userId, userId), inArray(exceptions.status, [...LIVE])))
    .orderBy(asc(exceptions.createdAt), asc(exceptions.id));
}

export async function openException(db: Db, id: string, by: string, at: number, endsAt: number): Promise<ExceptionRow | undefined> {
  const [row] = await db
    .update(exceptions)
    .set({ status: 'open', decidedBy: by, decidedAt: at, opensAt: at, endsAt })
    .where(and(eq(exceptions.id, id), eq(exceptions.status, 'pending')))
    .returning();
  return row;
}

export async function denyException(db: Db, id: string, by: string, at: number): Promise<ExceptionRow | undefined> {
  const [row] = await db
    .update(exceptions)
    .set({ status: 'denied', decidedBy: by, decidedAt: at })
    .where(and(eq(exceptions.id, id), eq(exceptions.status, 'pending')))
    .returning();
  return row;
}

/** The one transition to `closed`; undefined when it is not open (or, for `expired`, not yet due). */
export async function closeException(db: Db, id: string, reason: ExceptionCloseReason, by: string, at: number): Promise<ExceptionRow | undefined> {
  const due = reason === 'expired' ? lte(exceptions.endsAt, at) : undefined;
  const [row] = await db
    .update(exceptions)
    .set({ status: 'closed', closeReason: reason, closedBy: by, closedAt: at })
    .where(and(eq(exceptions.id, id), eq(exceptions.status, 'open'), due))
    .returning();
  return row;
}

export async function markWarned(db: Db, id: string, at: number): Promise<ExceptionRow | undefined> {
  const [row] = await db
    .update(exceptions)
    .set({ warnedAt: at })
    .where(and(eq(exceptions.id, id), eq(exceptions.status, 'open'), isNull(exceptions.warnedAt)))
    .returning();
  return row;
}

export async function countOpen(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(exceptions).where(eq(exceptions.status, 'open'));
  return row?.n ?? 0;
}

export async function setApprovalMessage(db: Db, id: string, channel: string, ts: string): Promise<void> {
  await db.update(exceptions).set({ approvalChannel: channel, approvalTs: ts }).where(eq(exceptions.id, id));
}

export async function exceptionsDueToClose(db: Db, now: number, limit: number): Promise<ExceptionRow[]> {
  return db
    .select()
    .from(exceptions)
    .where(and(eq(exceptions.status, 'open'), lte(exceptions.endsAt, now)))
    .orderBy(asc(exceptions.endsAt), asc(exceptions.id))
    .limit(limit);
}

export async function pendingWithoutApprovalMessage(db: Db, createdBefore: number, limit: number): Promise<ExceptionRow[]> {
  return db
    .select()
    .from(exceptions)
    .where(and(eq(exceptions.status, 'pending'), isNull(exceptions.approvalTs), lt(exceptions.createdAt, createdBefore)))
    .orderBy(asc(exceptions.createdAt), asc(exceptions.id))
    .limit(limit);
}

/** Open exceptions, read in pages by end time: what the close and reminder timers should cover. */
export async function openExceptionTimers(db: Db, afterEndsAt: number, afterId: string, limit: number): Promise<ExceptionTimer[]> {
  const rows = await db
    .select({ id: exceptions.id, opensAt: exceptions.opensAt, endsAt: exceptions.endsAt, warnedAt: exceptions.warnedAt })
    .from(exceptions)
    .where(
      and(
        eq(exceptions.status, 'open'),
        or(and(eq(exceptions.endsAt, afterEndsAt), gt(exceptions.id, afterId)), gt(exceptions.endsAt, afterEndsAt)),
      ),
    )
    .orderBy(asc(exceptions.endsAt), asc(exceptions.id))
    .limit(limit);
  return rows.flatMap((e) => (e.opensAt === null || e.endsAt === null ? [] : [{ id: e.id, opensAt: e.opensAt, endsAt: e.endsAt, warned: e.warnedAt !== null }]));
}

/** Every exception, newest first; only pending and open ones unless `all`. For reviews and the CLI. */
export async function listExceptions(db: Db, options: { all: boolean }): Promise<ExceptionRow[]> {
  return db
    .select()
    .from(exceptions)
    .where(options.all ? undefined : inArray(exceptions.status, [...LIVE]))
    .orderBy(desc(exceptions.createdAt), asc(exceptions.id));
}

/** A page of exceptions by (created_at, id), after the cursor. */
export async function pageExceptions(db: Db, filter: ExceptionFilter, after: { at: number; id: string } | undefined, limit: number): Promise<ExceptionRow[]> {
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
    .limit(limit);
}

/** Open exceptions in scope (an incident revoke-all). */
export async function openExceptionsIn(db: Db, scope: { resource?: string | undefined; userId?: string | undefined }): Promise<ExceptionRow[]> {
  return db
    .select()
    .from(exceptions)
    .where(and(eq(exceptions.status, 'open'), equalsIfGiven(exceptions.resource, scope.resource), equalsIfGiven(exceptions.userId, scope.userId)))
    .orderBy(asc(exceptions.createdAt), asc(exceptions.id));
}

/** The resources with exceptions waiting for a decision: who decides depends on nothing else. */
export async function pendingExceptionResources(db: Db): Promise<string[]> {
  const rows = await db.selectDistinct({ resource: exceptions.resource }).from(exceptions).where(eq(exceptions.status, 'pending')).orderBy(asc(exceptions.resource));
  return rows.map((r) => r.resource);
}

/** Exceptions for this resource waiting for a decision, oldest first. */
export async function pendingExceptionsOn(db: Db, resource: string): Promise<ExceptionRow[]> {
  return db.select().from(exceptions).where(and(eq(exceptions.status, 'pending'), eq(exceptions.resource, resource))).orderBy(asc(exceptions.createdAt), asc(exceptions.id));
}
