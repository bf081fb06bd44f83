import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { TEST_POSTGRES_URL } from './postgres.js';

/** How long `drop()` lets closed pools' connections go on their own before forcing them. */
const LINGER_MS = 2_000;

/** A fresh, empty database of its own on the machine's PostgreSQL (`<prefix>_<random>`); `drop()` removes it, connections and all. */
export async function createTestDatabase({ prefix = 'jitbot_test' }: { prefix?: string } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      try {
        // pg.Pool#end resolves before its sockets have closed: terminating them then would
        // raise errors in the pools just closed, so wait (a little) for them to leave.
        const deadline = Date.now() + LINGER_MS;
        for (;;) {
          const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
          if ((rows[0]?.n ?? 0) === 0 || Date.now() > deadline) break;
          await sleep(20);
        }
        await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
