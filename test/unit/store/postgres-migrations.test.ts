import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { openPostgres, type OpenPostgres } from '../../../src/store/postgres/database.js';
import { GENESIS_HASH } from '../../../src/domain/audit-chain.js';
import { createTestDatabase } from '../../support/postgres-database.js';

const migrationFiles = readdirSync('migrations/postgres').filter((name) => name.endsWith('.sql'));

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let client: pg.Client;
const opened: OpenPostgres[] = [];

before(async () => {
  database = await createTestDatabase();
  // Three replicas starting at once on one fresh database.
  opened.push(...(await Promise.all([1, 2, 3].map(() => openPostgres(database.url, { poolSize: 2 })))));
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});

after(async () => {
  await client.end();
  await Promise.all(opened.map((o) => o.close()));
  await database.drop();
});

test('three replicas migrating one fresh database at once all start, and each migration ran once', async () => {
  assert.equal(opened.length, 3);
  const { rows } = await client.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
  assert.ok(migrationFiles.length >= 2, 'the init migration and the append-only one at least');
  assert.equal(rows[0]?.n, migrationFiles.length);
  const head = await client.query('select id, seq, hash from audit_chain_head');
  assert.deepEqual(head.rows, [{ id: 1, seq: '0', hash: GENESIS_HASH }], 'one chain head row, at genesis');
});

test('a replica starting later finds the schema up to date and migrates nothing', async () => {
  const late = await openPostgres(database.url, { poolSize: 1 });
  opened.push(late);
  const { rows } = await client.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
  assert.equal(rows[0]?.n, migrationFiles.length);
});

test('audit_events refuses UPDATE, DELETE and TRUNCATE', async () => {
  await client.query(
    "insert into audit_events (seq, at, actor, action, subject_type, subject_id, details, prev_hash, hash) values (1, 1, 'jitbot', 'system.started', 'system', 'jitbot', '{}', $1, 'h1')",
    [GENESIS_HASH],
  );
  await assert.rejects(client.query("update audit_events set reason = 'x' where seq = 1"), /append-only/);
  await assert.rejects(client.query('delete from audit_events where seq = 1'), /append-only/);
  await assert.rejects(client.query('truncate audit_events'), /append-only/);
  const { rows } = await client.query<{ reason: string | null }>('select reason from audit_events');
  assert.deepEqual(rows, [{ reason: null }]);
});
