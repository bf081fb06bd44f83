import { eq } from 'drizzle-orm';
import type { Db } from './database.js';
import { policyVersions } from './schema.js';

/** Owns the `policy_versions` table. */
export async function rememberPolicy(db: Db, version: string, text: string, at: number): Promise<void> {
  await db.insert(policyVersions).values({ version, text, firstLoadedAt: at }).onConflictDoNothing();
}

export async function policyText(db: Db, version: string): Promise<string | undefined> {
  const [row] = await db.select({ text: policyVersions.text }).from(policyVersions).where(eq(policyVersions.version, version));
  return row?.text;
}
