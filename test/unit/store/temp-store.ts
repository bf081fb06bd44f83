/** Real SQLite files in a temp dir for store tests; each test gets its own file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type OpenDatabase } from '../../../src/store/sqlite/database.js';
import { newId } from '../../../src/store/ids.js';
import type { RequestRecord } from '../../../src/domain/records.js';
import type { ApproveInput, Store } from '../../../src/store/store.js';
import { createSqliteStore } from '../../../src/store/sqlite/store.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';

export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
export const MINUTE = 60_000;
export const ALICE = 'U0ALICE';
export const LEAD1 = 'U0LEAD1';
export const LEAD2 = 'U0LEAD2';
export const SEC1 = 'U0SEC1';

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

type NewRequest = Parameters<Store['createRequest']>[0];

/** What a new request of Alice's for prod-db is made of, before it is written. */
export function newRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  return {
    id: newId('req'),
    requesterId: ALICE,
    resource: 'prod-db',
    durationMs: 30 * MINUTE,
    reason: 'debugging INC-4211',
    policyVersion: 'v1',
    createdAt: T0,
    ...overrides,
  };
}

export function createPendingRequest(store: Store, overrides: Partial<NewRequest> = {}): Promise<RequestRecord> {
  return store.createRequest(newRequest(overrides));
}

export const ONE_STAGE = [{ approvers: ['db-leads'], approvalsRequired: 1 }] as const;

export function approveInput(requestId: string, approverId: string, overrides: Partial<ApproveInput> = {}): ApproveInput {
  const at = overrides.at ?? T0 + MINUTE;
  return {
    requestId,
    approverId,
    at,
    stages: ONE_STAGE,
    approverStages: new Set([0]),
    selfApproval: false,
    maxExtensions: 2,
    newGrant: (request) => ({
      id: newId('grt'),
      requestId: request.id,
      userId: request.requesterId,
      resource: request.resource,
      reason: request.reason,
      grantedAt: at,
      expiresAt: at + request.durationMs,
    }),
    ...overrides,
  };
}
