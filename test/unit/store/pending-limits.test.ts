import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainPolicy } from '../../../src/config/explain-policy.js';
import { parsePolicy } from '../../../src/config/load-policy.js';
import { pendingLimitReached } from '../../../src/domain/access-rules.js';

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

// The store's counting (extension requests too, decided ones not) is in the store contract: contract/requests.ts.
