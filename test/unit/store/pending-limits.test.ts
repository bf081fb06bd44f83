import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { explainPolicy } from '../../../src/config/explain-policy.js';
import { parsePolicy } from '../../../src/config/load-policy.js';
import { pendingLimitReached } from '../../../src/domain/access-rules.js';
import { ALICE, newRequest, T0, tempStores } from './temp-store.js';

const stores = tempStores();
after(() => stores.cleanup());

const LIMITS = { max_pending_per_resource: 2, max_pending_per_person: 3 };

test('one more pending request is refused at max_pending_per_resource, then at max_pending_per_person', () => {
  assert.equal(pendingLimitReached({ onResource: 1, inAll: 2 }, LIMITS), undefined);
  assert.equal(pendingLimitReached({ onResource: 2, inAll: 2 }, LIMITS), 'max_pending_per_resource');
  assert.equal(pendingLimitReached({ onResource: 0, inAll: 3 }, LIMITS), 'max_pending_per_person');
});

test('a policy that says nothing allows 5 pending per resource and 20 in all', () => {
  const { policy } = parsePolicy('resources:\n  wiki: { channel: C0WIKI, approvers: [U0LEAD1], max_duration: 1h }\n', 'policy.yaml');
  assert.equal(policy.settings.max_pending_per_resource, 5);
  assert.equal(policy.settings.max_pending_per_person, 20);
  assert.match(explainPolicy(policy)[0] ?? '', /at most 20 pending per person \(5 per resource\)/, '`policy check` says so');
});

test('the store counts the requester\'s pending requests (extension requests too, decided ones not) and writes nothing past a limit', () => {
  const t = stores.fresh();
  const asked = (resource: string, extendsGrantId: string | null = null) => t.store.createRequestWithinLimits(newRequest({ resource, extendsGrantId }), LIMITS);
  assert.equal(asked('prod-db').kind, 'created');
  assert.equal(asked('prod-db', 'grt-1').kind, 'created');
  const before = { requests: t.count('requests'), audit: t.count('audit_events') };
  assert.deepEqual(asked('prod-db'), { kind: 'limit_reached', limit: 'max_pending_per_resource' });
  assert.equal(asked('staging').kind, 'created');
  assert.deepEqual(asked('vpn'), { kind: 'limit_reached', limit: 'max_pending_per_person' });
  assert.deepEqual({ requests: t.count('requests'), audit: t.count('audit_events') }, { requests: before.requests + 1, audit: before.audit + 1 });

  // Someone else is not counted; a decided request no longer counts.
  assert.equal(t.store.createRequestWithinLimits(newRequest({ requesterId: 'U0BOB' }), LIMITS).kind, 'created');
  const pending = t.store.pendingRequestsOf(ALICE);
  const first = pending[0];
  assert.ok(first);
  t.store.closeRequest(first.id, 'cancelled', ALICE, T0);
  assert.equal(asked(first.resource).kind, 'created');
});

