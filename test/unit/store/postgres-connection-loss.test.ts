import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { openPostgres, type OpenPostgres } from '../../../src/store/postgres/database.js';
import { createTestDatabase } from '../../support/postgres-database.js';
import { startTcpProxy } from '../../support/tcp-proxy.js';

/** An 'error' event nobody listens to would end this process: the test run itself fails then. */
describe('PostgreSQL connections cut under the pool', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let postgres: OpenPostgres;

  before(async () => {
    database = await createTestDatabase();
    const direct = new URL(database.url);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const viaProxy = new URL(database.url);
    viaProxy.port = String(proxy.port);
    postgres = await openPostgres(viaProxy.toString());
  });
  after(async () => {
    await postgres.close();
    await proxy.close();
    await database.drop();
  });

  const ping = () => postgres.db.execute(sql`select 1 as one`).then(() => 'ok', (error: unknown) => (error instanceof Error ? error.message : String(error)));

  test('idle connections and one held by a transaction break; the queries fail, the process lives, and queries work once it is back', async () => {
    assert.equal(await ping(), 'ok');
    let inside: () => void = () => undefined;
    const entered = new Promise<void>((resolve) => (inside = resolve));
    const transaction = postgres.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
      inside();
      await sleep(300);
      await tx.execute(sql`select 2`);
    });
    await entered;
    proxy.down();
    await assert.rejects(transaction);
    assert.notEqual(await ping(), 'ok');
    await sleep(100);
    proxy.up();
    assert.equal(await ping(), 'ok');
  });
});
