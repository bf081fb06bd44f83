import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from './database.js';
import { driftFindings, type DriftFindingRow } from './schema.js';

/** Owns the `drift_findings` table. */
export type NewDriftFinding = typeof driftFindings.$inferInsert;

export function openFindingsFor(db: Db, target: string): DriftFindingRow[] {
  return db.select().from(driftFindings).where(and(eq(driftFindings.target, target), isNull(driftFindings.resolvedAt))).all();
}

export function openFindings(db: Db): DriftFindingRow[] {
  return db.select().from(driftFindings).where(isNull(driftFindings.resolvedAt)).orderBy(asc(driftFindings.foundAt), asc(driftFindings.id)).all();
}

export function insertFinding(db: Db, finding: NewDriftFinding): DriftFindingRow {
  return db.insert(driftFindings).values(finding).returning().get();
}

export function seenAgain(db: Db, id: string, at: number): void {
  db.update(driftFindings).set({ lastSeenAt: at }).where(eq(driftFindings.id, id)).run();
}

export function markAlerted(db: Db, id: string, at: number): void {
  db.update(driftFindings).set({ alertedAt: at }).where(eq(driftFindings.id, id)).run();
}

export function resolveFinding(db: Db, id: string, resolution: 'gone' | 'revoked', at: number): DriftFindingRow | undefined {
  return db
    .update(driftFindings)
    .set({ resolvedAt: at, resolution })
    .where(and(eq(driftFindings.id, id), isNull(driftFindings.resolvedAt)))
    .returning()
    .get();
}
