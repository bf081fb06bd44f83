import { eq } from 'drizzle-orm';
import { GENESIS_HASH, positionSignatureValid, signPosition, type AuditKey } from '../../domain/audit-chain.js';
import { auditEventAt } from './audit-log.js';
import type { Db } from './database.js';
import { auditForwarding } from './schema.js';
import { AUDIT_START, type Position, type PositionCheck } from '../store.js';

/** Owns the `audit_forwarding` table: how far each audit stream has delivered. */

/**
 * Where a stream stands, if that can be trusted: the position is signed with the audit key and
 * the event it names is still in the log unchanged. Anything else is refused, never skipped over.
 */
export async function deliveredPosition(db: Db, key: AuditKey, stream: string): Promise<PositionCheck> {
  const [row] = await db.select().from(auditForwarding).where(eq(auditForwarding.stream, stream));
  if (!row) return { ok: true, position: AUDIT_START };
  const { deliveredSeq: seq, deliveredHash: hash, signature } = row;
  if (hash === null || signature === null || !positionSignatureValid(key, stream, seq, hash, signature)) {
    return { ok: false, seq, problem: `its position (after seq ${seq}) is not signed with AUDIT_HMAC_KEY: it was moved by hand, or written by a jitbot that did not sign it` };
  }
  if (seq === 0) return hash === GENESIS_HASH ? { ok: true, position: AUDIT_START } : { ok: false, seq, problem: 'its position names no event' };
  const event = await auditEventAt(db, seq);
  if (!event) return { ok: false, seq, problem: `the event it delivered last (seq ${seq}) is no longer in the audit log` };
  if (event.hash !== hash) return { ok: false, seq, problem: `the event it delivered last (seq ${seq}) has changed since` };
  return { ok: true, position: { seq, hash } };
}

/** The seq the table holds for a stream, trusted or not (what an operator moves it from). */
export async function storedSeq(db: Db, stream: string): Promise<number | undefined> {
  const [row] = await db.select({ seq: auditForwarding.deliveredSeq }).from(auditForwarding).where(eq(auditForwarding.stream, stream));
  return row?.seq;
}

export async function markDelivered(db: Db, key: AuditKey, stream: string, position: Position, at: number): Promise<void> {
  const values = { deliveredSeq: position.seq, deliveredHash: position.hash, signature: signPosition(key, stream, position.seq, position.hash), lastError: null, updatedAt: at };
  await db
    .insert(auditForwarding)
    .values({ stream, ...values })
    .onConflictDoUpdate({ target: auditForwarding.stream, set: values });
}

export async function noteDeliveryError(db: Db, key: AuditKey, stream: string, error: string, at: number): Promise<void> {
  await db
    .insert(auditForwarding)
    .values({ stream, deliveredSeq: AUDIT_START.seq, deliveredHash: AUDIT_START.hash, signature: signPosition(key, stream, AUDIT_START.seq, AUDIT_START.hash), lastError: error, updatedAt: at })
    .onConflictDoUpdate({ target: auditForwarding.stream, set: { lastError: error, updatedAt: at } });
}
