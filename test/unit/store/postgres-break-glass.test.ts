import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { newId } from '../../../src/store/ids.js';
import type { RequestRecord } from '../../../src/domain/records.js';
import { MINUTE, T0, postgresTempStores, someResource, someone, type PostgresTempStores } from './postgres-temp-store.js';
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

const grantFor = (request: RequestRecord) => ({
  id: newId('grt'),
  requestId: request.id,
  userId: request.requesterId,
  resource: request.resource,
  reason: request.reason,
  grantedAt: request.createdAt,
  expiresAt: request.createdAt + request.durationMs,
});

async function breakGlass(at = T0) {
  return store.grantBreakGlass(
    { id: newId('req'), requesterId: someone('alice'), resource: someResource('prod-db'), durationMs: 30 * MINUTE, reason: 'prod is down', policyVersion: 'v1', createdAt: at },
    { incident: 'INC-9' },
    grantFor,
  );
}

test('PostgreSQL: break-glass grants at once with the request, the grant and the use audited in one transaction', async () => {
  const { request, grant, use } = await breakGlass();
  assert.equal(request.status, 'approved');
  assert.equal(request.decidedBy, 'jitbot');
  assert.equal(use.grantId, grant.id);
  assert.deepEqual(await stores.actions(request.id), ['request.created', 'request.approved']);
  assert.deepEqual(await stores.actions(grant.id), ['grant.created', 'break_glass.used']);
  assert.ok((await store.unacknowledgedBreakGlass()).some((u) => u.grantId === grant.id));
});

test('PostgreSQL: a break-glass use is acknowledged once when two replicas acknowledge at once', async () => {
  const { grant } = await breakGlass();
  const at = T0 + 5 * MINUTE;
  const [a, b] = await Promise.all([store.acknowledgeBreakGlass(grant.id, 'U0SEC1', at), other.acknowledgeBreakGlass(grant.id, 'U0SEC2', at)]);
  const acknowledged = [a, b].filter((u) => u !== undefined);
  assert.equal(acknowledged.length, 1);
  assert.equal((await store.findBreakGlass(grant.id))?.acknowledgedBy, acknowledged[0]?.acknowledgedBy);
  assert.deepEqual(await stores.actions(grant.id), ['grant.created', 'break_glass.used', 'break_glass.acknowledged']);
  assert.ok(!(await store.unacknowledgedBreakGlass()).some((u) => u.grantId === grant.id));
  assert.equal(await store.markBreakGlassReminded(grant.id, at + MINUTE), undefined, 'no reminder once acknowledged');
});

test('PostgreSQL: an unacknowledged use is reminded once, and then no longer awaits a reminder', async () => {
  const { grant } = await breakGlass(T0 - 60 * MINUTE);
  assert.ok((await store.breakGlassDueForReminder(T0, 1000)).some((u) => u.grantId === grant.id));
  const [a, b] = await Promise.all([store.markBreakGlassReminded(grant.id, T0), other.markBreakGlassReminded(grant.id, T0)]);
  assert.equal([a, b].filter((u) => u !== undefined).length, 1);
  assert.ok(!(await store.breakGlassDueForReminder(T0, 1000)).some((u) => u.grantId === grant.id));
  assert.ok(!(await store.breakGlassAwaitingReminder(-1, '', 1000)).some((u) => u.id === grant.id));
  assert.deepEqual(await stores.actions(grant.id), ['grant.created', 'break_glass.used', 'break_glass.unacknowledged']);
  assert.equal((await stores.verifyChain()).ok, true);
});
