import { and, eq, lte, or } from 'drizzle-orm';
import type { Db } from './database.js';
import { leases } from './schema.js';

/** Owns the `leases` table. */

/**
 * Takes the lease if free or expired, renews it if `holder` has it: one conditional upsert, so
 * of two holders asking at once exactly one gets it. True when `holder` has it until `now + ttlMs`.
 */
export function holdLease(db: Db, name: string, holder: string, ttlMs: number, now: number): boolean {
  const expiresAt = now + ttlMs;
  const row = db
    .insert(leases)
    .values({ name, holder, expiresAt })
    .onConflictDoUpdate({ target: leases.name, set: { holder, expiresAt }, setWhere: or(eq(leases.holder, holder), lte(leases.expiresAt, now)) })
    .returning({ holder: leases.holder })
    .get();
  return row?.holder === holder;
}

/** Gives the lease up, if `holder` still has it, so another can take it at once. */
export function releaseLease(db: Db, name: string, holder: string): void {
  db.delete(leases).where(and(eq(leases.name, name), eq(leases.holder, holder))).run();
}
