/** A fresh PostgreSQL database per test file for store tests; each "replica" is its own pool on it. */
import { randomBytes } from 'node:crypto';
import { auditEventsFor, verifyAuditChain } from '../../../src/store/postgres/audit-log.js';
import { openPostgres, type OpenPostgres } from '../../../src/store/postgres/database.js';
import { createPostgresStore } from '../../../src/store/postgres/store.js';
import type { ChainCheck, Store } from '../../../src/store/store.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { createTestDatabase } from '../../support/postgres-database.js';

export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** A Slack-like user ID of its own, so tests sharing a database never see each other's rows. */
export const someone = (name: string) => `U0${name.toUpperCase()}${randomBytes(3).toString('hex').toUpperCase()}`;
/** A resource name of its own, for the same reason. */
export const someResource = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;

export interface PostgresTempStores {
  /** A store on its own pool, as one replica has: call twice for two replicas on one database. */
  replica(): Promise<Store>;
  /** The audit actions on these subjects, in chain order. */
  actions(...subjectIds: string[]): Promise<string[]>;
  verifyChain(): Promise<ChainCheck>;
  cleanup(): Promise<void>;
}

export async function postgresTempStores(): Promise<PostgresTempStores> {
  const database = await createTestDatabase();
  const opened: OpenPostgres[] = [];
  const connect = async () => {
    const open = await openPostgres(database.url, { poolSize: 4 });
    opened.push(open);
    return open;
  };
  const main = await connect();
  return {
    replica: async () => createPostgresStore(await connect(), { auditKey: TEST_AUDIT_KEY }),
    async actions(...subjectIds) {
      const rows = (await Promise.all(subjectIds.map((id) => auditEventsFor(main.db, id)))).flat();
      return rows.sort((a, b) => a.seq - b.seq).map((r) => r.action);
    },
    verifyChain: () => verifyAuditChain(main.db, TEST_AUDIT_KEY),
    async cleanup() {
      await Promise.all(opened.map((o) => o.close()));
      await database.drop();
    },
  };
}
