import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from './database.js';
import { driftFindings, type DriftFindingRow } from './schema.js';

/** Owns the `drift_findings` table. */
export type NewDriftFinding = typeof driftFindings.$inferInsert;

export async function openFindingsFor(db: Db, target: string): Promise<DriftFindingRow[]> {
  return db.select().from(driftFindings).where(and(eq(driftFindings.target, target), isNull(driftFindings.resolvedAt))).orderBy(asc(driftFindings.foundAt), asc(driftFindings.id));
}

export async function openFindings(db: Db): Promise<DriftFindingRow[]> {
  return db.select().from(driftFindings).where(isNull(driftFindings.resolvedAt)).orderBy(asc(driftFindings.foundAt), asc(driftFindings.id));
}

export async function insertFinding(db: Db, finding: NewDriftFinding): Promise<DriftFindingRow> {
  const [row] = await db.insert(driftFindings).values(finding).returning();
  if (!row) throw new Error(`drift finding ${finding.id} was not inserted`);
  return row;
}

export async function seenAgain(db: Db, id: string, at: number): Promise<void> {
  await db.update(driftFindings).set({ lastSeenAt: at }).where(eq(driftFindings.id, id));
}

export async function markAlerted(db: Db, id: string, at: number): Promise<void> {
  await db.update(driftFindings).set({ alertedAt: at }).where(eq(driftFindings.id, id));
}

export async function resolveFinding(db: Db, id: string, resolution: 'gone' | 'revoked', at: number): Promise<DriftFindingRow | undefined> {
  const [row] = await db
    .update(driftFindings)
    .set({ resolvedAt: at, resolution })
    .where(and(eq(driftFindings.id, id), isNull(driftFindings.resolvedAt)))
    .returning();
  return row;
}
