import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { z } from 'zod';
import { GENESIS_HASH, type AuditKey, type ChainCheck } from '../domain/audit-chain.js';
import { redactedErrorMessage } from '../error-message.js';
import { describeLocation } from '../store/open-store.js';
import { verifyAuditChain as verifyPostgresChain } from '../store/postgres/audit-log.js';
import { openPostgres, type OpenPostgres } from '../store/postgres/database.js';
import * as postgresSchema from '../store/postgres/schema.js';
import { verifyAuditChain as verifySqliteChain } from '../store/sqlite/audit-log.js';
import { openReadOnly } from '../store/sqlite/database.js';
import { sqliteSchemaState } from '../store/sqlite/schema-state.js';
import { COPIED_TABLES, type CopiedTable } from './copy-tables.js';
import { CommandLineError, wordsOf } from './command-line.js';

const URL_EXAMPLE = 'postgres://jitbot:password@db.internal:5432/jitbot';

/** `--to`: a PostgreSQL URL that parses. */
export const copyTarget = z
  .string({ error: `--to <url> is required, e.g. --to ${URL_EXAMPLE}` })
  .regex(/^postgres(ql)?:\/\/\S+$/, `--to: expected a URL like ${URL_EXAMPLE}`)
  .refine((url) => URL.canParse(url), `--to: expected a URL like ${URL_EXAMPLE}`);

/** Rows per INSERT: about a thousand, and never more parameters than PostgreSQL takes in one statement (65535). */
const rowsPerInsert = (columns: number) => Math.max(1, Math.min(1_000, Math.floor(60_000 / columns)));

/** Why the copy stopped, said to the person; the target is as it was. */
class CopyRefused extends Error {
  override readonly name = 'CopyRefused';
}

interface SourceTable extends CopiedTable {
  columns: string[];
  rows: number;
}

type VerifiedChain = Extract<ChainCheck, { ok: true }>;

const say = (line: string) => process.stderr.write(`jitbot db copy: ${line}\n`);

/**
 * `jitbot db copy --to <url>`: every table of the SQLite file that should move, copied row for
 * row into an empty PostgreSQL database in one transaction. The source is read in one snapshot
 * and never changed; its audit chain is verified before anything is written, the target's
 * inside the transaction before it commits, so a copy that says OK is one the chain vouches for.
 */
export async function copyDatabase(databasePath: string, to: string | undefined, key: AuditKey): Promise<number> {
  const parsed = copyTarget.safeParse(to);
  if (!parsed.success) throw new CommandLineError(wordsOf(parsed.error));
  const url = parsed.data;
  const where = describeLocation({ kind: 'postgres', url });
  const passwords = passwordsIn(url);
  // pg's own messages do not name the password; this is so a future one cannot either.
  const shown = (error: unknown) => passwords.reduce((message, password) => message.replaceAll(password, '***'), redactedErrorMessage(error));

  if (!existsSync(databasePath)) {
    say(`there is no database at ${databasePath} (set DATABASE_PATH)`);
    return 1;
  }
  const source = openReadOnly(databasePath);
  try {
    const state = sqliteSchemaState(source.sqlite);
    if (state.kind === 'not_jitbot') return refuse(`${databasePath} is not a jitbot database (it has no migrations table)`);
    if (state.kind === 'ahead') return refuse(`${databasePath} was upgraded by a newer jitbot than this one; copy it with that release`);
    if (state.kind === 'behind') return refuse(`${databasePath} has an older schema (${state.applied} of ${state.known} migrations): start jitbot once on it to upgrade it first`);

    // One read transaction: the chain verified, the rows counted and the rows copied are one snapshot.
    source.sqlite.exec('BEGIN');
    const sourceChain = verifySqliteChain(source.db, key);
    if (!sourceChain.ok) return refuse(`the audit chain of ${databasePath} is BROKEN at event ${sourceChain.brokenAt}: ${sourceChain.problem}; nothing was copied`);
    const tables = COPIED_TABLES.map((t) => describeSourceTable(source.sqlite, t));

    let target: OpenPostgres;
    try {
      target = await openPostgres(url, { poolSize: 1 });
    } catch (error) {
      return refuse(`cannot open PostgreSQL at ${where}: ${shown(error)}`);
    }
    try {
      const copied = await copyInOneTransaction(target, source.sqlite, tables, key, where);
      const head = copied.head ? ` up to ${copied.head.seq}:${copied.head.hash}` : '';
      const perTable = tables.filter((t) => t.copy).map((t) => `${t.name} ${t.rows}`);
      const total = tables.reduce((sum, t) => sum + (t.copy ? t.rows : 0), 0);
      const unkeyed = copied.unkeyed > 0 ? ` (events 1–${copied.unkeyed} were written before AUDIT_HMAC_KEY and are only hash-chained)` : '';
      process.stdout.write(`copied ${total} rows (${perTable.join(', ')}); audit chain OK on both: ${copied.count} events${head}${unkeyed}\n`);
      return 0;
    } catch (error) {
      if (error instanceof CopyRefused) return refuse(error.message);
      if (error instanceof pg.DatabaseError || isConnectionError(error)) return refuse(`the copy failed and was rolled back, ${where} is as it was: ${shown(error)}`);
      throw error;
    } finally {
      await target.close();
    }
  } finally {
    if (source.sqlite.inTransaction) source.sqlite.exec('ROLLBACK');
    source.close();
  }
}

/** The URL's password as written and as decoded (a malformed escape has no decoded form). */
function passwordsIn(url: string): string[] {
  const written = new URL(url).password;
  if (written === '') return [];
  try {
    return [written, decodeURIComponent(written)];
  } catch {
    return [written];
  }
}

function refuse(line: string): number {
  say(line);
  return 1;
}

const isConnectionError = (error: unknown): boolean => error instanceof Error && 'code' in error && typeof error.code === 'string' && /^E[A-Z]+$/.test(error.code);

function describeSourceTable(sqlite: Database.Database, table: CopiedTable): SourceTable {
  const columns = sqlite
    .prepare(`select name from pragma_table_info(?) order by cid`)
    .pluck()
    .all(table.name)
    .map((name) => String(name));
  if (columns.length === 0) throw new Error(`the SQLite schema is current but has no table ${table.name}`);
  const rows = Number(sqlite.prepare(`select count(*) from ${quote(table.name)}`).pluck().get());
  return { ...table, columns, rows };
}

const quote = (name: string) => pg.escapeIdentifier(name);

async function copyInOneTransaction(target: OpenPostgres, sqlite: Database.Database, tables: readonly SourceTable[], key: AuditKey, where: string): Promise<VerifiedChain> {
  const client = await target.pool.connect();
  try {
    await client.query('BEGIN');
    try {
      // Nobody writes to the target while it is checked and filled: a bot started on it now waits.
      await client.query(`LOCK TABLE ${[...tables.map((t) => t.name), 'audit_chain_head'].map(quote).join(', ')} IN EXCLUSIVE MODE`);
      await refuseUnlessEmpty(client, tables, where);
      for (const table of tables) {
        if (!table.copy) continue;
        await refuseUnlessSameColumns(client, table);
        await copyTable(client, sqlite, table);
      }
      const chain = await verifyCopy(client, sqlite, tables, key);
      await client.query('COMMIT');
      return chain;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    client.release();
  }
}

async function refuseUnlessEmpty(client: pg.PoolClient, tables: readonly SourceTable[], where: string): Promise<void> {
  const found: string[] = [];
  for (const table of tables) {
    const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from ${quote(table.name)}`);
    const n = rows[0]?.n ?? 0;
    if (n > 0) found.push(`${table.name} (${n} row${n === 1 ? '' : 's'})`);
  }
  const { rows: heads } = await client.query<{ seq: string; hash: string }>('select seq::text, hash from audit_chain_head where id = 1');
  const head = heads[0];
  if (!head) found.push('audit_chain_head (no row)');
  else if (head.seq !== '0' || head.hash !== GENESIS_HASH) found.push(`audit_chain_head (at event ${head.seq})`);
  if (found.length > 0) throw new CopyRefused(`${where} is not empty: ${found.join(', ')}; copy into an empty database`);
}

async function refuseUnlessSameColumns(client: pg.PoolClient, table: SourceTable): Promise<void> {
  const { rows } = await client.query<{ name: string }>('select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = $1', [table.name]);
  const target = rows.map((r) => r.name).sort();
  const source = [...table.columns].sort();
  if (target.join(',') !== source.join(',')) throw new CopyRefused(`${table.name} has columns (${source.join(', ')}) in SQLite but (${target.join(', ')}) in PostgreSQL; nothing was copied`);
}

/** The rows in rowid order, read lazily and written a page at a time: a million events are never in memory at once. */
async function copyTable(client: pg.PoolClient, sqlite: Database.Database, table: SourceTable): Promise<void> {
  const columns = table.columns.map(quote).join(', ');
  // Integers as BigInt: exactly what is stored, whatever its size.
  const rows = sqlite.prepare(`select ${columns} from ${quote(table.name)} order by rowid`).raw(true).safeIntegers(true).iterate() as IterableIterator<unknown[]>;
  const perInsert = rowsPerInsert(table.columns.length);
  let page: unknown[][] = [];
  const flush = async () => {
    if (page.length === 0) return;
    const width = table.columns.length;
    const tuples = page.map((_, r) => `(${table.columns.map((__, c) => `$${r * width + c + 1}`).join(', ')})`);
    await client.query(`insert into ${quote(table.name)} (${columns}) values ${tuples.join(', ')}`, page.flat());
    page = [];
  };
  for (const row of rows) {
    page.push(row);
    if (page.length >= perInsert) await flush();
  }
  await flush();
}

/** The head moved to the copied chain's last event, then the copy checked as the PostgreSQL store will read it. */
async function verifyCopy(client: pg.PoolClient, sqlite: Database.Database, tables: readonly SourceTable[], key: AuditKey): Promise<VerifiedChain> {
  const last = sqlite.prepare('select seq, hash from audit_events order by seq desc limit 1').get() as { seq: number; hash: string } | undefined;
  if (last) await client.query('update audit_chain_head set seq = $1, hash = $2 where id = 1', [last.seq, last.hash]);
  for (const table of tables) {
    if (!table.copy) continue;
    const { rows } = await client.query<{ n: number }>(`select count(*)::int as n from ${quote(table.name)}`);
    const n = rows[0]?.n ?? 0;
    if (n !== table.rows) throw new CopyRefused(`the copy FAILED: ${table.name} has ${n} rows in PostgreSQL but ${table.rows} in SQLite; rolled back, nothing was copied`);
  }
  const check = await verifyPostgresChain(drizzle(client, { schema: postgresSchema }), key);
  if (!check.ok) throw new CopyRefused(`the copy FAILED: its audit chain does not verify in PostgreSQL, at event ${check.brokenAt}: ${check.problem}; rolled back, nothing was copied`);
  if (check.head?.seq !== last?.seq || check.head?.hash !== last?.hash) throw new CopyRefused('the copy FAILED: its audit chain ends elsewhere in PostgreSQL than in SQLite; rolled back, nothing was copied');
  return check;
}
