import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { openDatabase } from '../../../src/store/sqlite/database.js';

const dir = mkdtempSync(join(tmpdir(), 'jitbot-migrations-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of migrations/ that stops after the first `count` entries: the schema an older release left. */
function migrationsUpTo(count: number): string {
  const folder = join(dir, `upto-${count}`);
  cpSync('migrations/sqlite', folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, count) }));
  return folder;
}

test('upgrading a database from before opt-out exceptions keeps every grant, with no exception', () => {
  const path = join(dir, 'old.sqlite');
  const old = new Database(path);
  migrate(drizzle(old), { migrationsFolder: migrationsUpTo(3) });
  old.prepare("insert into requests (id, requester_id, resource, duration_ms, reason, status, policy_version, created_at) values ('req-1', 'U0ALICE', 'prod-db', 60000, 'INC-1', 'approved', 'v1', 1)").run();
  old.prepare("insert into grants (id, request_id, user_id, resource, reason, granted_at, expires_at) values ('grt-1', 'req-1', 'U0ALICE', 'prod-db', 'INC-1', 1, 60001)").run();
  old.close();

  const upgraded = openDatabase(path);
  try {
    const grant = upgraded.sqlite.prepare('select id, request_id, exception_id, status, expires_at from grants').all();
    assert.deepEqual(grant.map((g) => ({ ...(g as object) })), [{ id: 'grt-1', request_id: 'req-1', exception_id: null, status: 'active', expires_at: 60001 }]);
    assert.deepEqual(upgraded.sqlite.prepare('pragma foreign_key_check').all(), []);
    assert.throws(
      () => upgraded.sqlite.prepare("insert into grants (id, user_id, resource, reason, granted_at, expires_at) values ('grt-2', 'U0ALICE', 'prod-db', 'x', 1, 2)").run(),
      /CHECK constraint failed: grants_have_a_source/,
      'a grant needs a request or an exception',
    );
  } finally {
    upgraded.close();
  }
});

test('upgrading to grant setup states: a grant jitbot gave up setting up becomes provision_failed, every other grant and its references stay', () => {
  const path = join(dir, 'before-setup-states.sqlite');
  const old = new Database(path);
  migrate(drizzle(old), { migrationsFolder: migrationsUpTo(14) });
  old.prepare("insert into requests (id, requester_id, resource, duration_ms, reason, status, policy_version, created_at) values ('req-1', 'U0ALICE', 'prod-db', 60000, 'INC-1', 'approved', 'v1', 1), ('req-2', 'U0ALICE', 'prod-db', 60000, 'INC-2', 'approved', 'v1', 1), ('req-3', 'U0ALICE', 'prod-db', 60000, 'INC-3', 'approved', 'v1', 1)").run();
  old.prepare("insert into grants (id, request_id, user_id, resource, reason, granted_at, expires_at, provisioned_at) values ('grt-set-up', 'req-1', 'U0ALICE', 'prod-db', 'INC-1', 1, 60001, 2)").run();
  old.prepare("insert into grants (id, request_id, user_id, resource, reason, granted_at, expires_at, provision_error) values ('grt-gave-up', 'req-2', 'U0ALICE', 'prod-db', 'INC-2', 1, 60001, 'webhook: 500')").run();
  old.prepare("insert into grants (id, request_id, user_id, resource, reason, granted_at, expires_at, provision_error) values ('grt-retrying', 'req-3', 'U0ALICE', 'prod-db', 'INC-3', 1, 60001, 'webhook: 500')").run();
  old.prepare("insert into audit_events (at, actor, action, subject_type, subject_id, reason, prev_hash, hash) values (3, 'jitbot', 'grant.provision_failed', 'grant', 'grt-gave-up', 'webhook: 500', '', 'x')").run();
  old.prepare("insert into break_glass_uses (grant_id, request_id, user_id, resource, reason, created_at) values ('grt-gave-up', 'req-2', 'U0ALICE', 'prod-db', 'INC-2', 1)").run();
  old.close();

  const upgraded = openDatabase(path);
  try {
    const rows = upgraded.sqlite.prepare('select id, status, end_requested_at, revoke_alert_ts from grants order by id').all();
    assert.deepEqual(rows.map((g) => ({ ...(g as object) })), [
      { id: 'grt-gave-up', status: 'provision_failed', end_requested_at: null, revoke_alert_ts: null },
      { id: 'grt-retrying', status: 'active', end_requested_at: null, revoke_alert_ts: null },
      { id: 'grt-set-up', status: 'active', end_requested_at: null, revoke_alert_ts: null },
    ]);
    assert.deepEqual(upgraded.sqlite.prepare('pragma foreign_key_check').all(), []);
    assert.equal(upgraded.sqlite.prepare('select count(*) from break_glass_uses').pluck().get(), 1);
  } finally {
    upgraded.close();
  }
});
