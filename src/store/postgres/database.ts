import { fileURLToPath } from 'node:url';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle, type NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** The database or a transaction inside it: table modules accept either. */
export type Db = PgDatabase<NodePgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface OpenPostgres {
  db: ReturnType<typeof drizzle<Schema>>;
  pool: pg.Pool;
  close(): Promise<void>;
}

const MIGRATIONS = fileURLToPath(new URL('../../../migrations/postgres', import.meta.url));

/** Any constant key: every jitbot replica migrating the same database takes the same lock. */
const MIGRATION_LOCK = 7_160_913_250_411;

/**
 * Connects to PostgreSQL and brings its schema up to date. drizzle's migrator takes no lock, so
 * replicas starting together would race: the migration runs holding a session advisory lock on
 * one dedicated connection (not the pool, where the lock could be held by any connection).
 */
export async function openPostgres(url: string, { poolSize = 10 }: { poolSize?: number } = {}): Promise<OpenPostgres> {
  const lockClient = new pg.Client({ connectionString: url });
  await lockClient.connect();
  try {
    await lockClient.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migrate(drizzle(lockClient, { schema }), { migrationsFolder: MIGRATIONS });
  } finally {
    await lockClient.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lockClient.end();
  }
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // A connection that breaks (PostgreSQL restarted, the network cut) is an 'error' event: on the
  // pool when idle, on the client itself when checked out (a transaction). Unhandled, either ends
  // the process. The pool drops the broken connection and opens another for the next query; the
  // outage shows in /healthz and in the failing queries' own errors.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}

/** Runs work as one PostgreSQL transaction; the body awaits its queries on `tx`. */
export type Transaction = <T>(fn: (tx: Db) => Promise<T>) => Promise<T>;
