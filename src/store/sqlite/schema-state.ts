import type Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { SQLITE_MIGRATIONS } from './database.js';

/** Where a SQLite file's schema stands against this release's migrations. */
export type SchemaState = { kind: 'current' } | { kind: 'behind'; applied: number; known: number } | { kind: 'ahead' } | { kind: 'not_jitbot' };

/**
 * Reads drizzle's own record of applied migrations without changing anything. Like drizzle's
 * migrator, it goes by the last migration's time: `current` means opening the file with
 * `openDatabase` would apply nothing.
 */
export function sqliteSchemaState(sqlite: Database.Database): SchemaState {
  const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get();
  if (table === undefined) return { kind: 'not_jitbot' };
  const applied = sqlite.prepare('select count(*) from __drizzle_migrations').pluck().get();
  const last = sqlite.prepare('select max(created_at) from __drizzle_migrations').pluck().get();
  const known = readMigrationFiles({ migrationsFolder: SQLITE_MIGRATIONS });
  const newest = known.at(-1)?.folderMillis ?? 0;
  const lastApplied = Number(last ?? 0);
  if (lastApplied === newest) return { kind: 'current' };
  if (lastApplied > newest) return { kind: 'ahead' };
  return { kind: 'behind', applied: Number(applied), known: known.length };
}
