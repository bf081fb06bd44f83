/**
 * The store contract on PostgreSQL: one fresh database for the run (dropped after), reset to
 * what migrating left before each case; a second pool on the same database as the second replica.
 */
import { after, before } from 'node:test';
import pg from 'pg';
import { openPostgres, type OpenPostgres } from '../../../src/store/postgres/database.js';
import { createPostgresStore } from '../../../src/store/postgres/store.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { createTestDatabase } from '../../support/postgres-database.js';
import { runStoreContract } from './contract/index.js';

let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
/** One connection for the resets between cases, behind the stores' backs. */
let admin: pg.Client | undefined;
let tables: string[] = [];
before(async () => {
  database = await createTestDatabase();
  await fasterCommits(database.url);
  const migrated = await openPostgres(database.url);
  await migrated.close();
  tables = await keepSeed(database.url);
  admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
});
after(async () => {
  await admin?.end();
  await database?.drop();
});

/** Commits not waiting for the disk: a test database need not survive a crash, and each case commits dozens of times. */
async function fasterCommits(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`ALTER DATABASE ${pg.escapeIdentifier(new URL(url).pathname.slice(1))} SET synchronous_commit = off`);
  } finally {
    await client.end();
  }
}

/** Where the rows that migrations seed (the chain's head row, say) are kept, to be put back each time. */
const SEED = 'contract_seed';

/** Every public table of the freshly migrated database, and a copy of the rows migrations put in them. */
async function keepSeed(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>("select quote_ident(tablename) as name from pg_tables where schemaname = 'public'");
    await client.query(`CREATE SCHEMA ${SEED}`);
    for (const { name } of rows) await client.query(`CREATE TABLE ${SEED}.${name} AS SELECT * FROM public.${name}`);
    return rows.map((r) => r.name);
  } finally {
    await client.end();
  }
}

/**
 * The database back to what migrating left: every table emptied and its seeded rows put back,
 * every sequence restarted, the audit guards on. DELETE, not TRUNCATE (0.6 s a case for these
 * tables); replica mode skips the foreign-key and append-only triggers meanwhile.
 */
async function reset(admin: pg.Client, tables: readonly string[]): Promise<void> {
  const statements = tables.map((t) => `DELETE FROM public.${t}; INSERT INTO public.${t} SELECT * FROM ${SEED}.${t};`).join(' ');
  await admin.query(`SET session_replication_role = replica; ${statements} SET session_replication_role = origin`);
  await admin.query("select setval(c.oid, 1, false) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'S' and n.nspname = 'public'");
  await admin.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
}

runStoreContract('postgres', async () => {
  if (!database || !admin) throw new Error('the test database was not created');
  const { url } = database;
  await reset(admin, tables);
  const first = await openPostgres(url);
  const pools: OpenPostgres[] = [first];
  const openStore = async (auditKey = TEST_AUDIT_KEY) => {
    const opened = await openPostgres(url);
    pools.push(opened);
    return createPostgresStore(opened, { auditKey });
  };
  return {
    store: createPostgresStore(first, { auditKey: TEST_AUDIT_KEY }),
    openSecond: async (options = {}) => openStore(options.auditKey),
    sql: async (statement) => {
      await first.pool.query(statement);
    },
    dropAuditGuards: async () => {
      await first.pool.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
    },
    close: async () => {
      for (const opened of pools) await opened.close();
    },
  };
});
