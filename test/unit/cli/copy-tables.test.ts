import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getTableName, is } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { COPIED_TABLES, POSTGRES_ONLY_TABLES } from '../../../src/cli/copy-tables.js';
import * as postgres from '../../../src/store/postgres/schema.js';
import * as sqlite from '../../../src/store/sqlite/schema.js';

const sqliteTables = (Object.values(sqlite) as unknown[]).filter((v): v is SQLiteTable => is(v, SQLiteTable));
const postgresTables = (Object.values(postgres) as unknown[]).filter((v): v is PgTable => is(v, PgTable));
const listed = COPIED_TABLES.map((t) => t.name);

test('db copy decides about every table of the SQLite schema, once each', () => {
  assert.deepEqual([...listed].sort(), sqliteTables.map((t) => getTableName(t)).sort());
  assert.equal(new Set(listed).size, listed.length);
});

test('every table of the PostgreSQL schema is either one db copy decides about or one it sets', () => {
  assert.deepEqual([...listed, ...POSTGRES_ONLY_TABLES].sort(), postgresTables.map((t) => getTableName(t)).sort());
});

test('db copy fills tables in foreign-key order: each after the tables it references, on both schemas', () => {
  const position = new Map(listed.map((name, i) => [name, i]));
  const references = [
    ...sqliteTables.flatMap((t) => sqliteTableConfig(t).foreignKeys.map((fk) => [getTableName(t), getTableName(fk.reference().foreignTable)] as const)),
    ...postgresTables.flatMap((t) => pgTableConfig(t).foreignKeys.map((fk) => [getTableName(t), getTableName(fk.reference().foreignTable)] as const)),
  ];
  assert.ok(references.length >= 8, 'the schemas have foreign keys to order by');
  for (const [from, to] of references) {
    assert.ok((position.get(to) ?? Infinity) < (position.get(from) ?? -Infinity), `${from} references ${to}, so ${to} must come first`);
  }
});

test('leases (runtime state of the old processes) are the only table not copied', () => {
  assert.deepEqual(COPIED_TABLES.filter((t) => !t.copy).map((t) => t.name), ['leases']);
});
