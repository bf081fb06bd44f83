import { inArray, lt, sql } from 'drizzle-orm';
import type { Db } from './database.js';
import { slackDeliveries } from './schema.js';

/** Owns the `slack_deliveries` table. */

/** Any constant key, distinct from the migration lock's. */
const DELIVERIES_LOCK = 7_160_913_250_412;

/**
 * Serializes deduplication with every other replica's until the transaction ends. A lock of its
 * own, not the audit chain head: deliveries are not audited and should not wait for state changes.
 */
export async function lockDeliveries(tx: Db): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${DELIVERIES_LOCK})`);
}

/** Forgets what was seen before `forgetBefore`. */
export async function forgetDeliveriesBefore(db: Db, forgetBefore: number): Promise<void> {
  await db.delete(slackDeliveries).where(lt(slackDeliveries.seenAt, forgetBefore));
}

/** Whether any of these keys was seen (and not yet forgotten). */
export async function anyDeliverySeen(db: Db, keys: readonly string[]): Promise<boolean> {
  const [seen] = await db.select({ key: slackDeliveries.key }).from(slackDeliveries).where(inArray(slackDeliveries.key, [...keys])).limit(1);
  return seen !== undefined;
}

export async function noteDeliveries(db: Db, keys: readonly string[], at: number): Promise<void> {
  await db.insert(slackDeliveries).values(keys.map((key) => ({ key, seenAt: at }))).onConflictDoNothing();
}
