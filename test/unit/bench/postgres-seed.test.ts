import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BENCH_AUDIT_KEY, createBenchDatabase } from '../../../bench/support/bench-database.js';
import { revocationLateness, seedGrants, seedTimedSteps, timedStepLateness } from '../../../bench/support/seed.js';
import { openStore } from '../../../src/store/open-store.js';

const NOW = Date.UTC(2026, 11, 1, 12);

test('seeding on PostgreSQL writes what it writes on SQLite, in commits copied one after another, and the chain verifies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jitbot-bench-seed-'));
  const [sqlite, postgres] = [await createBenchDatabase('sqlite', dir), await createBenchDatabase('postgres', dir)];
  try {
    for (const database of [sqlite, postgres]) {
      // 1,200 grants are two commits of the SQLite staging file, so the second copy starts where the first ended.
      await seedGrants(database, 1_200, (i) => NOW + 3_600_000 + i, NOW);
      await seedTimedSteps(database, 3, (i) => NOW + 7_200_000 + i, NOW);
    }
    const counts = async (database: typeof sqlite) => await database.numbers("select count(*) from audit_events union all select count(*) from grants union all select count(*) from requests union all select count(*) from grants where status = 'active'");
    assert.deepEqual(await counts(postgres), await counts(sqlite));
    assert.deepEqual(await revocationLateness(postgres), { lateness: [], notRevoked: 1_200 });
    assert.deepEqual((await timedStepLateness(postgres)).map((k) => k.notDone), [1_200, 3, 3, 3, 3, 3, 3, 3]);

    // The bot's own store on the copy: the chain verifies and a new audited write appends to it.
    const store = await openStore(postgres.location, { auditKey: BENCH_AUDIT_KEY });
    try {
      const [grantId] = await postgres.strings("select id from grants where resource = 'prod-db' order by expires_at limit 1");
      assert.ok(grantId);
      const [revoked] = await store.markRevokedMany([{ grantId, reason: 'expired', by: 'jitbot', at: NOW + 3_600_010 }]);
      assert.equal(revoked?.status, 'revoked');
      const check = await store.verifyAuditChain();
      assert.ok(check.ok, JSON.stringify(check));
      assert.equal(check.count, ((await counts(sqlite))[0] ?? 0) + 1);
    } finally {
      await store.close();
    }
    assert.deepEqual((await revocationLateness(postgres)).lateness, [10]);
  } finally {
    await postgres.drop();
    await sqlite.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
