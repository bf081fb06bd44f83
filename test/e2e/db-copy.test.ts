import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import pg from 'pg';
import { newId } from '../../src/store/ids.js';
import { openPostgres } from '../../src/store/postgres/database.js';
import { createPostgresStore } from '../../src/store/postgres/store.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { createSqliteStore } from '../../src/store/sqlite/store.js';
import type { Store } from '../../src/store/store.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { createTestDatabase } from '../support/postgres-database.js';
import { ALICE, approvedGrant, askException, BOB, HOUR, LEAD1, MINUTE, newRequest, openException, SEC1, T0 } from '../unit/store/contract/harness.js';

const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;
const ALL = 100_000;
const STREAM = 'audit_webhook';
/** More audit events than one INSERT carries (1000), so the copy goes page by page. */
const EXTRA_EVENTS = 2_100;

const jitbot = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', AUDIT_HMAC_KEY: TEST_AUDIT_KEY, ...env }, encoding: 'utf8' });

/** A SQLite file with a little of everything jitbot keeps, written through the store as the bot would. */
async function sqliteWithHistory(path: string): Promise<void> {
  const database = openDatabase(path);
  const store = createSqliteStore(database, { auditKey: TEST_AUDIT_KEY });
  try {
    await store.rememberPolicy('v1', 'resources: {}\n', T0 - HOUR);
    const revoked = await approvedGrant(store, { grantedAt: T0 + MINUTE, expiresAt: T0 + HOUR });
    await store.markProvisioned(revoked.id, T0 + MINUTE + 500);
    await store.requestEnd(revoked.id, 'released', ALICE, T0 + 10 * MINUTE);
    await store.markRevoked(revoked.id, 'released', ALICE, T0 + 10 * MINUTE + 200);
    const active = await approvedGrant(store, { grantedAt: T0 + 2 * MINUTE, expiresAt: T0 + 2 * HOUR }, { reason: 'INC-2 "quoted", ünïcode ✓' });
    await store.markProvisioned(active.id, T0 + 2 * MINUTE + 100);
    const request = await store.createRequest(newRequest({ requesterId: BOB, createdAt: T0 + 3 * MINUTE }));
    await store.closeRequest(request.id, 'denied', LEAD1, T0 + 4 * MINUTE, 'not now');
    const exception = await askException(store, { mode: 'standing' });
    await openException(store, exception, T0 + 5 * MINUTE);
    await store.grantBreakGlass(newRequest({ requesterId: BOB, createdAt: T0 + 6 * MINUTE, reason: 'prod down INC-7' }), { incident: 'INC-7' }, (approved) => ({
      id: newId('grt'),
      requestId: approved.id,
      userId: approved.requesterId,
      resource: approved.resource,
      reason: approved.reason,
      grantedAt: approved.createdAt,
      expiresAt: approved.createdAt + approved.durationMs,
    }));
    const review = await store.createReview({ id: newId('rev'), trigger: 'cli', createdBy: 'cli:ops', createdAt: T0 + 7 * MINUTE, since: T0 - 24 * HOUR, until: T0 + 7 * MINUTE, report: '{"items":[]}' }, { grants: 1 });
    await store.recordReviewDecision({ reviewId: review.id, subjectType: 'grant', subjectId: active.id, decision: 'keep', decidedBy: SEC1, decidedAt: T0 + 8 * MINUTE, note: 'on call' }, 'prod-db');
    await store.syncDrift({ target: 'pg-main', resource: 'prod-db', findings: [{ kind: 'unmanaged', identity: 'mallory', grantId: null, userId: null }], at: T0 + 9 * MINUTE });
    await store.homeOpened(ALICE, T0 + 9 * MINUTE);
    await store.firstDelivery(['sig:abc', 'trigger:123'], T0 + 9 * MINUTE, T0);
    for (let i = 0; i < EXTRA_EVENTS; i += 1) await store.recordEvent({ at: T0 + 10 * MINUTE + i, actor: ALICE, action: 'decision.refused', subjectType: 'request', subjectId: `req-${i}`, details: { n: i, why: 'not an approver' } });
    const head = await store.auditHead();
    assert.ok(head);
    await store.markAuditDelivered(STREAM, head, T0 + HOUR);
    database.sqlite.prepare("insert into leases (name, holder, expires_at) values ('sweep', 'old-host:123', ?)").run(T0 + HOUR);
  } finally {
    await store.close();
  }
}

/** Everything a store gives back, through the Store interface: what the bot would see. */
async function everything(store: Store) {
  const requests = await store.listRequests({}, undefined, ALL);
  const grants = await store.listGrants({}, undefined, ALL);
  const reviews = await store.pageReviews({}, undefined, ALL);
  return {
    requests,
    approvals: await Promise.all(requests.map((r) => store.approvalsOf(r.id))),
    grants,
    found: await Promise.all(grants.map((g) => store.findGrant(g.id))),
    exceptions: await store.listExceptions({ all: true }),
    breakGlass: await Promise.all(grants.map((g) => store.findBreakGlass(g.id))),
    reviews,
    decisions: await Promise.all(reviews.map((r) => store.reviewDecisions(r.id))),
    drift: await store.openDriftFindings(),
    audit: await store.listAuditEvents({}, 0, ALL),
    head: await store.auditHead(),
    forwarded: await store.auditPosition(STREAM),
    policy: await store.policyText('v1'),
    homeViewers: await store.homeViewersSince(0),
  };
}

async function withPostgresStore<T>(url: string, work: (store: Store, client: pg.Pool) => Promise<T>): Promise<T> {
  const database = await openPostgres(url, { poolSize: 2 });
  const store = createPostgresStore(database, { auditKey: TEST_AUDIT_KEY });
  try {
    return await work(store, database.pool);
  } finally {
    await store.close();
  }
}

async function withSqliteStore<T>(path: string, work: (store: Store) => Promise<T>): Promise<T> {
  const store = createSqliteStore(openDatabase(path), { auditKey: TEST_AUDIT_KEY });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

const count = async (pool: pg.Pool, table: string) => (await pool.query<{ n: number }>(`select count(*)::int as n from ${pg.escapeIdentifier(table)}`)).rows[0]?.n;

/** What a database without a table named `audit_events` answers: the copy never even migrated it. */
async function hasAuditTable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ t: string | null }>("select to_regclass('audit_events')::text as t")).rows[0]?.t !== null;
  } finally {
    await client.end();
  }
}

const NO_STACK = /^\s+at /m;

describe('jitbot db copy --to postgres://…', () => {
  let dir: string;
  let history: string;
  const databases: { drop(): Promise<void> }[] = [];
  const freshDatabase = async () => {
    const database = await createTestDatabase();
    databases.push(database);
    return database.url;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jitbot-db-copy-'));
    history = join(dir, 'history.sqlite');
    await sqliteWithHistory(history);
  });
  after(async () => {
    for (const database of databases) await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('copies every row as stored into an empty database; the PostgreSQL store reads back the same history and goes on with the same chain', async () => {
    const url = await freshDatabase();
    const before = await withSqliteStore(history, everything);
    const run = jitbot(['db', 'copy', '--to', url], { DATABASE_PATH: history });
    assert.equal(run.status, 0, run.stderr);
    const head = before.head;
    assert.ok(head);
    const events = before.audit.length;
    assert.ok(events > EXTRA_EVENTS);
    assert.match(run.stdout, new RegExp(`^copied \\d+ rows \\(policy_versions 1, requests 4, request_approvals 2, exceptions 1, grants 4, break_glass_uses 1, home_viewers 1, slack_deliveries 2, audit_events ${events}, audit_forwarding 1, reviews 1, review_decisions 1, drift_findings 1\\); audit chain OK on both: ${events} events up to ${head.seq}:${head.hash}\\n$`));

    await withPostgresStore(url, async (store, pool) => {
      assert.deepEqual(await everything(store), before);
      assert.deepEqual(await store.verifyAuditChain(), { ok: true, count: events, unkeyed: 0, head });
      assert.equal(await count(pool, 'leases'), 0, 'leases belong to the old processes');
      const [grant] = before.grants.filter((g) => g.status === 'revoked');
      assert.deepEqual([grant?.revokeReason, grant?.revokedAt], ['released', T0 + 10 * MINUTE + 200]);

      await store.recordEvent({ at: T0 + 2 * HOUR, actor: SEC1, action: 'decision.refused', subjectType: 'request', subjectId: 'req-after-move' });
      const [next] = await store.listAuditEvents({ subjectId: 'req-after-move' }, 0, 10);
      assert.deepEqual([next?.seq, next?.prevHash], [head.seq + 1, head.hash], 'the next event chains onto the copied head');
      const check = await store.verifyAuditChain();
      assert.ok(check.ok, JSON.stringify(check));
      assert.equal(check.count, events + 1);
    });
  });

  test('a target that is not empty is refused by name and left as it was', async () => {
    const url = await freshDatabase();
    await withPostgresStore(url, async (store) => {
      await store.homeOpened(BOB, T0);
      await store.recordEvent({ at: T0, actor: BOB, action: 'decision.refused', subjectType: 'request', subjectId: 'req-elsewhere' });
    });
    const run = jitbot(['db', 'copy', '--to', url], { DATABASE_PATH: history });
    assert.equal(run.status, 1, run.stdout);
    assert.match(run.stderr, /^jitbot db copy: postgres:\/\/\S+ is not empty: home_viewers \(1 row\), audit_events \(1 row\), audit_chain_head \(at event 1\); copy into an empty database\n$/);
    await withPostgresStore(url, async (store, pool) => {
      assert.equal(await count(pool, 'requests'), 0);
      assert.deepEqual((await store.listAuditEvents({}, 0, 10)).map((e) => e.subjectId), ['req-elsewhere']);
      assert.deepEqual(await store.homeViewersSince(0), [BOB]);
    });
  });

  test('a tampered source is refused before anything is written to the target', async () => {
    const path = join(dir, 'tampered.sqlite');
    cpSync(history, path);
    const sqlite = new Database(path);
    sqlite.exec('DROP TRIGGER audit_events_no_update');
    sqlite.prepare("update audit_events set reason = 'nothing to see' where seq = 3").run();
    sqlite.close();
    const url = await freshDatabase();
    const run = jitbot(['db', 'copy', '--to', url], { DATABASE_PATH: path });
    assert.equal(run.status, 1, run.stdout);
    assert.match(run.stderr, /the audit chain of \S+tampered\.sqlite is BROKEN at event 3: .*; nothing was copied\n$/);
    assert.equal(await hasAuditTable(url), false, 'the target was not even migrated');
  });

  test('a source with an older schema is refused: start jitbot once on it first', async () => {
    const path = join(dir, 'old.sqlite');
    const folder = join(dir, 'old-migrations');
    cpSync(join(ROOT, 'migrations/sqlite'), folder, { recursive: true });
    const journalPath = join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
    writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, -1) }));
    const old = new Database(path);
    migrate(drizzle(old), { migrationsFolder: folder });
    old.close();
    const url = await freshDatabase();
    const run = jitbot(['db', 'copy', '--to', url], { DATABASE_PATH: path });
    assert.equal(run.status, 1, run.stdout);
    assert.match(run.stderr, /old\.sqlite has an older schema \(\d+ of \d+ migrations\): start jitbot once on it to upgrade it first\n$/);
    assert.equal(await hasAuditTable(url), false);
  });

  test('a bad URL, a missing --to or DATABASE_URL in place of DATABASE_PATH are usage errors (exit 2), without a stack trace', () => {
    const bad = jitbot(['db', 'copy', '--to', 'mysql://root@db/jitbot'], { DATABASE_PATH: history });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^jitbot db copy: --to: expected a URL like postgres:\/\/jitbot:password@db\.internal:5432\/jitbot\nusage:\n/);
    const missing = jitbot(['db', 'copy'], { DATABASE_PATH: history });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /--to <url> is required/);
    const fromPostgres = jitbot(['db', 'copy', '--to', 'postgres://127.0.0.1/x'], { DATABASE_URL: 'postgres://127.0.0.1/y' });
    assert.equal(fromPostgres.status, 2);
    assert.match(fromPostgres.stderr, /copies the SQLite file of DATABASE_PATH/);
    for (const run of [bad, missing, fromPostgres]) assert.doesNotMatch(run.stderr, NO_STACK);
  });

  test('an unreachable server is a clear error (exit 1) that never shows the password', () => {
    const run = jitbot(['db', 'copy', '--to', 'postgres://jitbot:s3cret-pw@127.0.0.1:1/jitbot'], { DATABASE_PATH: history });
    assert.equal(run.status, 1, run.stdout);
    assert.match(run.stderr, /^jitbot db copy: cannot open PostgreSQL at postgres:\/\/jitbot:\*\*\*@127\.0\.0\.1:1\/jitbot: .*ECONNREFUSED/);
    assert.doesNotMatch(run.stderr, /s3cret-pw/);
    assert.doesNotMatch(run.stderr, NO_STACK);
  });
});
