import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import type { Db } from './database.js';
import { pageAfter } from './query.js';
import { breakGlassUses, type BreakGlassRow } from './schema.js';

/** Owns the `break_glass_uses` table. */
export type NewBreakGlassUse = typeof breakGlassUses.$inferInsert;

export async function insertUse(db: Db, use: NewBreakGlassUse): Promise<BreakGlassRow> {
  const [row] = await db.insert(breakGlassUses).values(use).returning();
  if (!row) throw new Error(`break-glass use of grant ${use.grantId} was not inserted`);
  return row;
}

export async function findUse(db: Db, grantId: string): Promise<BreakGlassRow | undefined> {
  const [row] = await db.select().from(breakGlassUses).where(eq(breakGlassUses.grantId, grantId));
  return row;
}

export async function setAlerts(db: Db, grantId: string, alerts: Pick<BreakGlassRow, 'securityChannel' | 'securityTs' | 'resourceChannel' | 'resourceTs'>): Promise<void> {
  await db.update(breakGlassUses).set(alerts).where(eq(breakGlassUses.grantId, grantId));
}

export async function unacknowledged(db: Db): Promise<BreakGlassRow[]> {
  return db.select().from(breakGlassUses).where(isNull(breakGlassUses.acknowledgedAt)).orderBy(asc(breakGlassUses.createdAt), asc(breakGlassUses.grantId));
}

/** Unacknowledged uses not yet reminded, read in pages by (created_at, grant_id): what the reminder timers should cover. */
export async function awaitingReminder(db: Db, afterCreatedAt: number, afterId: string, limit: number): Promise<{ id: string; createdAt: number }[]> {
  return db
    .select({ id: breakGlassUses.grantId, createdAt: breakGlassUses.createdAt })
    .from(breakGlassUses)
    .where(and(isNull(breakGlassUses.acknowledgedAt), isNull(breakGlassUses.remindedAt), ...pageAfter(breakGlassUses.createdAt, breakGlassUses.grantId, {}, { at: afterCreatedAt, id: afterId })))
    .orderBy(asc(breakGlassUses.createdAt), asc(breakGlassUses.grantId))
    .limit(limit);
}

/** Unacknowledged, not yet reminded, and older than `createdBefore`: reminders the timers may have lost. */
export async function dueForReminder(db: Db, createdBefore: number, limit: number): Promise<BreakGlassRow[]> {
  return db
    .select()
    .from(breakGlassUses)
    .where(and(isNull(breakGlassUses.acknowledgedAt), isNull(breakGlassUses.remindedAt), lte(breakGlassUses.createdAt, createdBefore)))
    .orderBy(asc(breakGlassUses.createdAt), asc(breakGlassUses.grantId))
    .limit(limit);
}

export async function acknowledge(db: Db, grantId: string, by: string, at: number): Promise<BreakGlassRow | undefined> {
  const [row] = await db
    .update(breakGlassUses)
    .set({ acknowledgedAt: at, acknowledgedBy: by })
    .where(and(eq(breakGlassUses.grantId, grantId), isNull(breakGlassUses.acknowledgedAt)))
    .returning();
  return row;
}

export async function markReminded(db: Db, grantId: string, at: number): Promise<BreakGlassRow | undefined> {
  const [row] = await db
    .update(breakGlassUses)
    .set({ remindedAt: at })
    .where(and(eq(breakGlassUses.grantId, grantId), isNull(breakGlassUses.acknowledgedAt), isNull(breakGlassUses.remindedAt)))
    .returning();
  return row;
}
