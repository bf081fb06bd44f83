import { inArray, lt } from 'drizzle-orm';
import type { Db } from './database.js';
import { slackDeliveries } from './schema.js';

/** Owns the `slack_deliveries` table. Forgets what was seen before `forgetBefore`. */
export function forgetDeliveriesBefore(db: Db, forgetBefore: number): void {
  db.delete(slackDeliveries).where(lt(slackDeliveries.seenAt, forgetBefore)).run();
}

/** Whether any of these keys was seen (and not yet forgotten). */
export function anyDeliverySeen(db: Db, keys: readonly string[]): boolean {
  return db.select({ key: slackDeliveries.key }).from(slackDeliveries).where(inArray(slackDeliveries.key, [...keys])).limit(1).get() !== undefined;
}

export function noteDeliveries(db: Db, keys: readonly string[], at: number): void {
  db.insert(slackDeliveries).values(keys.map((key) => ({ key, seenAt: at }))).onConflictDoNothing().run();
}
