/** Real SQLite files in a temp dir for the SQLite-only store tests; each test gets its own file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type OpenDatabase } from '../../../src/store/sqlite/database.js';
import { createSqliteStore } from '../../../src/store/sqlite/store.js';
import type { Store } from '../../../src/store/store.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';

export { ALICE, approveInput, createPendingRequest, LEAD1, LEAD2, MINUTE, newRequest, ONE_STAGE, SEC1, T0 } from './contract/harness.js';

export interface TempStore {
  path: string;
  open: OpenDatabase;
  store: Store;
  /** Another connection to the same file, as a second process would have. */
  reopen(): { open: OpenDatabase; store: Store };
  count(table: 'requests' | 'grants' | 'audit_events' | 'request_approvals' | 'exceptions'): number;
  actions(...subjectIds: string[]): string[];
}

export function tempStores() {
  const dir = mkdtempSync(join(tmpdir(), 'jitbot-'));
  const opened: OpenDatabase[] = [];
  let n = 0;
  const openAt = (path: string) => {
    const open = openDatabase(path);
    opened.push(open);
    return { open, store: createSqliteStore(open, { auditKey: TEST_AUDIT_KEY }) };
  };
  return {
    fresh(): TempStore {
      n += 1;
      const path = join(dir, `store-${n}.sqlite`);
      const { open, store } = openAt(path);
      return {
        path,
        open,
        store,
        reopen: () => openAt(path),
        count: (table) => (open.sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n,
        actions: (...ids) =>
          (
            open.sqlite
              .prepare(`select action from audit_events where subject_id in (${ids.map(() => '?').join(', ')}) order by seq`)
              .all(...ids) as { action: string }[]
          ).map((r) => r.action),
      };
    },
    cleanup() {
      for (const o of opened) if (o.sqlite.open) o.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
