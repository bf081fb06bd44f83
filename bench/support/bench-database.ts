import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseLocation } from '../../src/config/env.js';
import { openPostgres } from '../../src/store/postgres/database.js';
import { createPostgresStore } from '../../src/store/postgres/store.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { createSqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase } from '../../test/support/postgres-database.js';

export type StoreKind = DatabaseLocation['kind'];

/** AUDIT_HMAC_KEY of the bench's bots and of the stores that seed them. */
export const BENCH_AUDIT_KEY = 'bench-audit-hmac-key-0123456789abcdef';

/**
 * The database a benchmark's bots share: a SQLite file in the run's folder, or a PostgreSQL
 * database of the run's own (`jitbot_bench_<random>`, dropped by `drop()`).
 */
export interface BenchDatabase {
  location: DatabaseLocation;
  /** The bot's environment variable that points at it. */
  env: Record<string, string>;
  /**
   * Runs `seed` against the store as one commit: the store's own transactions nest inside it
   * (savepoints), so seeding writes the rows and audit events the bot writes, without a
   * commit per write.
   */
  inOneCommit(seed: (store: Store) => Promise<void>): Promise<void>;
  /** The first column of every row `sql` returns, as numbers (null stays null). */
  numbers(sql: string): Promise<(number | null)[]>;
  /** The first column of every row `sql` returns, as strings. */
  strings(sql: string): Promise<string[]>;
  drop(): Promise<void>;
}

export async function createBenchDatabase(kind: StoreKind, dir: string): Promise<BenchDatabase> {
  return kind === 'postgres' ? await postgresDatabase(dir) : sqliteDatabase(join(dir, 'jitbot.sqlite'));
}

/**
 * Seeds the SQLite file at `path` through its store, as one commit: the store's own transactions
 * nest inside as savepoints (its bodies never await, so nothing else runs on the connection).
 */
export async function inOneSqliteCommit(path: string, auditKey: string, seed: (store: Store) => Promise<void>): Promise<void> {
  const database = openDatabase(path);
  database.sqlite.exec('BEGIN IMMEDIATE');
  try {
    await seed(createSqliteStore(database, { auditKey }));
    database.sqlite.exec('COMMIT');
  } catch (error) {
    database.sqlite.exec('ROLLBACK');
    throw error;
  } finally {
    database.close();
  }
}

function sqliteDatabase(path: string): BenchDatabase {
  const rows = (sql: string): unknown[] => {
    const database = openDatabase(path);
    try {
      return database.sqlite.prepare(sql).pluck().all();
    } finally {
      database.close();
    }
  };
  return {
    location: { kind: 'sqlite', path },
    env: { DATABASE_PATH: path },
    inOneCommit: (seed) => inOneSqliteCommit(path, BENCH_AUDIT_KEY, seed),
    numbers: async (sql) => rows(sql).map((v) => (v === null ? null : Number(v))),
    strings: async (sql) => rows(sql).map(String),
    drop: async () => undefined,
  };
}

/** The tables seeding writes, parents first (foreign keys). */
const SEEDED_TABLES = ['requests', 'request_approvals', 'exceptions', 'grants', 'break_glass_uses', 'home_viewers', 'audit_events'] as const;

/** PostgreSQL takes at most 65,535 parameters per statement. */
const MAX_PARAMETERS = 60_000;

/**
 * On PostgreSQL every audited write is a serialized commit and a dozen round trips; seeding
 * 10,000 grants through the store there takes many minutes on this machine. So seeding runs
 * through the SQLite store into a staging file (the same rows and audit events, hashed by the
 * same code) and each commit's new rows are copied, unchanged, into PostgreSQL; the chain head
 * is moved to the last event copied, and the copied chain is verified by the PostgreSQL store.
 * Seeds only add rows (a row changed by a later commit would not be copied again).
 */
async function postgresDatabase(dir: string): Promise<BenchDatabase> {
  const created = await createTestDatabase({ prefix: 'jitbot_bench' });
  // Migrates the fresh database, as the bot would at start.
  await (await openPostgres(created.url, { poolSize: 1 })).close();
  const stagingPath = join(dir, 'staging.sqlite');
  const staging = sqliteDatabase(stagingPath);
  const copiedUpTo = new Map<string, number>(SEEDED_TABLES.map((table) => [table, 0]));
  const rows = async (sql: string): Promise<unknown[]> => {
    const client = new pg.Client({ connectionString: created.url });
    await client.connect();
    try {
      const result = await client.query<unknown[]>({ text: sql, rowMode: 'array' });
      return result.rows.map((row) => row[0]);
    } finally {
      await client.end();
    }
  };
  async function copyNewRows(): Promise<void> {
    const source = openDatabase(stagingPath);
    const client = new pg.Client({ connectionString: created.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      for (const table of SEEDED_TABLES) {
        const after = copiedUpTo.get(table) ?? 0;
        const fresh = source.sqlite.prepare(`select rowid as "rowid", * from ${table} where rowid > ? order by rowid`).all(after) as Record<string, unknown>[];
        const last = fresh[fresh.length - 1];
        if (last === undefined) continue;
        const columns = Object.keys(last).filter((column) => column !== 'rowid');
        const perStatement = Math.floor(MAX_PARAMETERS / columns.length);
        for (let start = 0; start < fresh.length; start += perStatement) {
          const batch = fresh.slice(start, start + perStatement);
          const values = batch.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
          const text = `insert into ${pg.escapeIdentifier(table)} (${columns.map((c) => pg.escapeIdentifier(c)).join(', ')}) values ${values.join(', ')}`;
          await client.query(text, batch.flatMap((row) => columns.map((column) => row[column])));
        }
        copiedUpTo.set(table, Number(last['rowid']));
      }
      await client.query('update audit_chain_head set seq = e.seq, hash = e.hash from (select seq, hash from audit_events order by seq desc limit 1) e where audit_chain_head.id = 1');
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      await client.end();
      source.close();
    }
    const database = await openPostgres(created.url, { poolSize: 1 });
    try {
      const check = await createPostgresStore(database, { auditKey: BENCH_AUDIT_KEY }).verifyAuditChain();
      if (!check.ok) throw new Error(`the audit chain copied into PostgreSQL does not verify: ${JSON.stringify(check)}`);
    } finally {
      await database.close();
    }
  }
  return {
    location: { kind: 'postgres', url: created.url },
    env: { DATABASE_URL: created.url },
    async inOneCommit(seed) {
      await staging.inOneCommit(seed);
      await copyNewRows();
    },
    // bigint columns come back as strings.
    numbers: async (sql) => (await rows(sql)).map((v) => (v === null ? null : Number(v))),
    strings: async (sql) => (await rows(sql)).map(String),
    drop: () => created.drop(),
  };
}
