import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import { pageAfter, type Db } from './database.js';
import { breakGlassUses, type BreakGlassRow } from './schema.js';

/** Owns the `break_glass_uses` table. */
export type NewBreakGlassUse = typeof breakGlassUses.$inferInsert;

export function insertUse(db: Db, use: NewBreakGlassUse): BreakGlassRow {
  return db.insert(breakGlassUses).values(use).returning().get();
}

export function findUse(db: Db, grantId: string): BreakGlassRow | undefined {
  return db.select().from(breakGlassUses).where(eq(breakGlassUses.grantId, grantId)).get();
}

export function setAlerts(db: Db, grantId: string, alerts: Pick<BreakGlassRow, 'securityChannel' | 'securityTs' | 'resourceChannel' | 'resourceTs'>): void {
  db.update(breakGlassUses).set(alerts).where(eq(breakGlassUses.grantId, grantId)).run();
}

export function unacknowledged(db: Db): BreakGlassRow[] {
  return db.select().from(breakGlassUses).where(isNull(breakGlassUses.acknowledgedAt)).orderBy(asc(breakGlassUses.createdAt)).all();
}

/** Unacknowledged uses not yet reminded, read in pages by (created_at, grant_id): what the reminder timers should cover. */
export function awaitingReminder(db: Db, afterCreatedAt: number, afterId: string, limit: number): { id: string; createdAt: number }[] {
  return db
    .select({ id: breakGlassUses.grantId, createdAt: breakGlassUses.createdAt })
    .from(breakGlassUses)
    .where(and(isNull(breakGlassUses.acknowledgedAt), isNull(breakGlassUses.remindedAt), ...pageAfter(breakGlassUses.createdAt, breakGlassUses.grantId, {}, { at: afterCreatedAt, id: afterId })))
    .orderBy(asc(breakGlassUses.createdAt), asc(breakGlassUses.grantId))
    .limit(limit)
    .all();
}

/** Unacknowledged, not yet reminded, and older than `createdBefore`: reminders the timers may have lost. */
export function dueForReminder(db: Db, createdBefore: number, limit: number): BreakGlassRow[] {
  return db
    .select()
    .from(breakGlassUses)
    .where(and(isNull(breakGlassUses.acknowledgedAt), isNull(breakGlassUses.remindedAt), lte(breakGlassUses.createdAt, createdBefore)))
    .orderBy(asc(breakGlassUses.createdAt))
    .limit(limit)
    .all();
}

export function acknowledge(db: Db, grantId: string, by: string, at: number): BreakGlassRow | undefined {
  return db
    .update(breakGlassUses)
    .set({ acknowledgedAt: at, acknowledgedBy: by })
    .where(and(eq(breakGlassUses.grantId, grantId), isNull(breakGlassUses.acknowledgedAt)))
    .returning()
    .get();
}

export function markReminded(db: Db, grantId: string, at: number): BreakGlassRow | undefined {
  return db
    .update(breakGlassUses)
    .set({ remindedAt: at })
    .where(and(eq(breakGlassUses.grantId, grantId), isNull(breakGlassUses.acknowledgedAt), isNull(breakGlassUses.remindedAt)))
    .returning()
    .get();
}
