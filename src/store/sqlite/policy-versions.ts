import { eq } from 'drizzle-orm';
import type { Db } from './database.js';
import { policyVersions } from './schema.js';

/** Owns the `policy_versions` table. */
export function rememberPolicy(db: Db, version: string, text: string, at: number): void {
  db.insert(policyVersions).values({ version, text, firstLoadedAt: at }).onConflictDoNothing().run();
}

export function policyText(db: Db, version: string): string | undefined {
  return db.select({ text: policyVersions.text }).from(policyVersions).where(eq(policyVersions.version, version)).get()?.text;
}
