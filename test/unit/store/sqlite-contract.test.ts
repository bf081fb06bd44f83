/** The store contract on SQLite: each case on its own temp file, a second connection as the second process. */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openDatabase, type OpenDatabase } from '../../../src/store/sqlite/database.js';
import { createSqliteStore } from '../../../src/store/sqlite/store.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { runStoreContract } from './contract/index.js';

const dir = mkdtempSync(join(tmpdir(), 'jitbot-contract-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// Migrated once; each case starts from a copy, which is the same as migrating anew but faster.
const template = join(dir, 'template.sqlite');
openDatabase(template).close();
let files = 0;

runStoreContract('sqlite', async () => {
  files += 1;
  const path = join(dir, `store-${files}.sqlite`);
  copyFileSync(template, path);
  const connections: OpenDatabase[] = [];
  const open = (auditKey = TEST_AUDIT_KEY) => {
    const database = openDatabase(path);
    connections.push(database);
    return { database, store: createSqliteStore(database, { auditKey }) };
  };
  const first = open();
  return {
    store: first.store,
    openSecond: async (options = {}) => open(options.auditKey).store,
    sql: async (statement) => {
      first.database.sqlite.exec(statement);
    },
    dropAuditGuards: async () => {
      first.database.sqlite.exec('DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete');
    },
    close: async () => {
      for (const database of connections) if (database.sqlite.open) database.close();
    },
  };
});
