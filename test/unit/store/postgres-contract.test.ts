/**
 * The store contract on PostgreSQL: one fresh database for the run (dropped after), emptied
 * before each case; a second pool on the same database as the second replica.
 */
import { after, before } from 'node:test';
import pg from 'pg';
import { openPostgres, type OpenPostgres } from '../../../src/store/postgres/database.js';
import { createPostgresStore } from '../../../src/store/postgres/store.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { createTestDatabase } from '../../support/postgres-database.js';
import { runStoreContract } from './contract/index.js';

let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database?.drop();
});

/** Every table and sequence of jitbot's schema back to empty, the audit guards back on: as a fresh database. */
async function emptied(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>("select quote_ident(tablename) as name from pg_tables where schemaname = 'public'");
    // DELETE, not TRUNCATE (which takes ~0.6 s for these tables); replica mode skips the foreign-key and append-only triggers.
    const deletes = tables.map((t) => `DELETE FROM ${t.name};`).join(' ');
    await client.query(`SET session_replication_role = replica; ${deletes} SET session_replication_role = origin`);
    await client.query("select setval(c.oid, 1, false) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'S' and n.nspname = 'public'");
    await client.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
  } finally {
    await client.end();
  }
}

runStoreContract('postgres', async () => {
  if (!database) throw new Error('the test database was not created');
  const { url } = database;
  // Migrations first (the first case creates the tables), then emptied of what the last case left.
  const first = await openPostgres(url);
  await emptied(url);
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
