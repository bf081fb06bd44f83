import { eq } from 'drizzle-orm';
import type { Db } from './database.js';
import { auditForwarding } from './schema.js';

/** Owns the `audit_forwarding` table: how far each audit stream has delivered. */

export function deliveredSeq(db: Db, stream: string): number {
  return db.select({ seq: auditForwarding.deliveredSeq }).from(auditForwarding).where(eq(auditForwarding.stream, stream)).get()?.seq ?? 0;
}

export function markDelivered(db: Db, stream: string, seq: number, at: number): void {
  db.insert(auditForwarding)
    .values({ stream, deliveredSeq: seq, lastError: null, updatedAt: at })
    .onConflictDoUpdate({ target: auditForwarding.stream, set: { deliveredSeq: seq, lastError: null, updatedAt: at } })
    .run();
}

export function noteDeliveryError(db: Db, stream: string, error: string, at: number): void {
  db.insert(auditForwarding)
    .values({ stream, deliveredSeq: 0, lastError: error, updatedAt: at })
    .onConflictDoUpdate({ target: auditForwarding.stream, set: { lastError: error, updatedAt: at } })
    .run();
}
