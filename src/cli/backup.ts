import { existsSync } from 'node:fs';
import type { AuditKey } from '../domain/audit-chain.js';
import { verifyAuditChain } from '../store/sqlite/audit-log.js';
import { openDatabase, openReadOnly } from '../store/sqlite/database.js';

/**
 * `jitbot db backup <file>`: SQLite's online backup API copies the database page by page while
 * the bot keeps writing, then the copy's audit chain is verified, so a backup that passes is
 * one a restore can trust. An existing file is never overwritten.
 */
export async function backupDatabase(databasePath: string, target: string, key: AuditKey): Promise<number> {
  if (!existsSync(databasePath)) {
    process.stderr.write(`jitbot db backup: there is no database at ${databasePath} (set DATABASE_PATH)\n`);
    return 1;
  }
  if (existsSync(target)) {
    process.stderr.write(`jitbot db backup: ${target} exists already; name a new file\n`);
    return 1;
  }
  const source = openDatabase(databasePath);
  try {
    await source.sqlite.backup(target);
  } finally {
    source.close();
  }
  const copy = openReadOnly(target);
  try {
    const check = verifyAuditChain(copy.db, key);
    if (!check.ok) {
      process.stderr.write(`jitbot db backup: the copy in ${target} has a BROKEN audit chain at event ${check.brokenAt}: ${check.problem}\n`);
      return 1;
    }
    process.stdout.write(`backed up ${databasePath} to ${target}: ${check.count} audit events, chain OK\n`);
    return 0;
  } finally {
    copy.close();
  }
}
