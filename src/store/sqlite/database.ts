import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { and, eq, gt, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { BaseSQLiteDatabase, SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { RunResult } from 'better-sqlite3';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** The database or a transaction inside it: table modules accept either. */
export type Db = BaseSQLiteDatabase<'sync', RunResult, Schema>;

export interface OpenDatabase {
  db: ReturnType<typeof drizzle<Schema>>;
  sqlite: Database.Database;
  close(): void;
}

/**
 * A table module's prepared statements, built once per connection. Building a drizzle
 * query costs ten times more than running it, so hot paths (every revocation) use these.
 * The store runs its transactions on the same connection object, so they apply there too.
 */
export function preparedFor<T>(build: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    const cached = cache.get(db);
    if (cached) return cached;
    const built = build(db);
    cache.set(db, built);
    return built;
  };
}

/** A named parameter of a prepared statement, where drizzle wants an SQL value (`set`). */
export const param = (name: string) => sql`${sql.placeholder(name)}`;

/** `column = value`, or no condition at all when the filter is not given. */
export const equalsIfGiven = (column: SQLiteColumn, value: string | undefined): SQL | undefined => (value === undefined ? undefined : eq(column, value));

/** Conditions of one page of a listing ordered by (time, id): the time range, and after the cursor. */
export function pageAfter(
  time: SQLiteColumn,
  id: SQLiteColumn,
  range: { since?: number | undefined; until?: number | undefined },
  after: { at: number; id: string } | undefined,
): (SQL | undefined)[] {
  return [
    range.since === undefined ? undefined : gte(time, range.since),
    range.until === undefined ? undefined : lt(time, range.until),
    after === undefined ? undefined : or(gt(time, after.at), and(eq(time, after.at), gt(id, after.id))),
  ];
}

export const SQLITE_MIGRATIONS = fileURLToPath(new URL('../../../migrations/sqlite', import.meta.url));

/** Opens (creating if needed) the SQLite file and brings its schema up to date. */
export function openDatabase(path: string): OpenDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema });
  // Migrations run in one transaction, where SQLite ignores `PRAGMA foreign_keys`: a table
  // rebuilt by drizzle-kit (create, copy, drop, rename) is only droppable with them off.
  // They are checked once the schema is up to date, and enforced from then on.
  sqlite.pragma('foreign_keys = OFF');
  migrate(db, { migrationsFolder: SQLITE_MIGRATIONS });
  const broken = sqlite.pragma('foreign_key_check');
  if (Array.isArray(broken) && broken.length > 0) throw new Error(`the database has rows whose references are missing after migrating: ${JSON.stringify(broken.slice(0, 5))}`);
  sqlite.pragma('foreign_keys = ON');
  return { db, sqlite, close: () => sqlite.close() };
}

/** Opens an existing SQLite file read-only, as it is: a backup being checked is never migrated. */
export function openReadOnly(path: string): OpenDatabase {
  const sqlite = new Database(path, { readonly: true, fileMustExist: true });
  return { db: drizzle(sqlite, { schema }), sqlite, close: () => sqlite.close() };
}

/** Runs work as one SQLite transaction (IMMEDIATE: the write lock is taken up front). */
export type Transaction = <T>(fn: (tx: Db) => T) => T;
