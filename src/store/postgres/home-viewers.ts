import { gte } from 'drizzle-orm';
import type { Db } from './database.js';
import { homeViewers } from './schema.js';

/** Owns the `home_viewers` table. */
export async function noteHomeOpened(db: Db, userId: string, at: number): Promise<void> {
  await db.insert(homeViewers).values({ userId, openedAt: at }).onConflictDoUpdate({ target: homeViewers.userId, set: { openedAt: at } });
}

/** Everyone who opened App Home at or after `since`. */
export async function homeViewersSince(db: Db, since: number): Promise<string[]> {
  const rows = await db.select({ userId: homeViewers.userId }).from(homeViewers).where(gte(homeViewers.openedAt, since));
  return rows.map((row) => row.userId);
}
