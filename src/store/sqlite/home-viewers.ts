import { gte } from 'drizzle-orm';
import type { Db } from './database.js';
import { homeViewers } from './schema.js';

/** Owns the `home_viewers` table. */
export function noteHomeOpened(db: Db, userId: string, at: number): void {
  db.insert(homeViewers).values({ userId, openedAt: at }).onConflictDoUpdate({ target: homeViewers.userId, set: { openedAt: at } }).run();
}

/** Everyone who opened App Home at or after `since`. */
export function homeViewersSince(db: Db, since: number): string[] {
  return db.select({ userId: homeViewers.userId }).from(homeViewers).where(gte(homeViewers.openedAt, since)).all().map((row) => row.userId);
}
