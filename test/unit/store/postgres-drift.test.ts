import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DriftFinding } from '../../../src/domain/drift.js';
import { MINUTE, T0, postgresTempStores, someResource, type PostgresTempStores } from './postgres-temp-store.js';
import type { Store } from '../../../src/store/store.js';

let stores: PostgresTempStores;
let store: Store;
let other: Store;
before(async () => {
  stores = await postgresTempStores();
  store = await stores.replica();
  other = await stores.replica();
});
after(() => stores.cleanup());

const unmanaged = (identity: string): DriftFinding => ({ kind: 'unmanaged', identity, grantId: null, userId: null });

test('PostgreSQL: drift sync reports findings found, seen again and gone, each change audited', async () => {
  const target = someResource('pg-main');
  const sync = (findings: DriftFinding[], at: number) => store.syncDrift({ target, resource: 'prod-db', findings, at });

  const first = await sync([unmanaged('mallory'), unmanaged('trent')], T0);
  assert.deepEqual(first.found.map((f) => f.identity).sort(), ['mallory', 'trent']);
  assert.deepEqual([first.still, first.gone], [[], []]);

  const second = await sync([unmanaged('mallory')], T0 + MINUTE);
  assert.deepEqual(second.found, []);
  assert.deepEqual(second.still.map((f) => f.identity), ['mallory']);
  assert.deepEqual(second.gone.map((f) => [f.identity, f.resolution, f.resolvedAt]), [['trent', 'gone', T0 + MINUTE]]);

  const open = (await store.openDriftFindings()).filter((f) => f.target === target);
  assert.deepEqual(open.map((f) => [f.identity, f.lastSeenAt]), [['mallory', T0 + MINUTE]]);
  assert.deepEqual(await stores.actions('mallory', 'trent'), ['drift.unmanaged', 'drift.unmanaged', 'drift.resolved']);

  const mallory = open[0];
  assert.ok(mallory);
  const [a, b] = await Promise.all([store.driftRemoved(mallory.id, T0 + 2 * MINUTE), other.driftRemoved(mallory.id, T0 + 2 * MINUTE)]);
  assert.equal([a, b].filter((f) => f !== undefined).length, 1, 'removed once across replicas');
  assert.equal((await sync([unmanaged('mallory')], T0 + 3 * MINUTE)).found.length, 1, 'seen again after removal: a new finding');
  assert.equal((await stores.verifyChain()).ok, true);
});

test('PostgreSQL: two replicas checking the same target at once record a new finding once', async () => {
  const target = someResource('pg-main');
  const results = await Promise.all([store, other].map((on) => on.syncDrift({ target, resource: 'prod-db', findings: [unmanaged('eve')], at: T0 })));
  assert.deepEqual(results.map((r) => [r.found.length, r.still.length]).sort(), [[0, 1], [1, 0]]);
});
