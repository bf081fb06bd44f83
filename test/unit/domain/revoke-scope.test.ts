import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRevokeAll } from '../../../src/domain/revoke-scope.js';

test('revoke-all --resource takes only what can be a resource name, so the note to security never carries typed markup', () => {
  assert.deepEqual(parseRevokeAll(['--resource', 'Prod-DB', 'leaked', 'key']), { ok: true, value: { scope: { kind: 'resource', resource: 'prod-db' }, reason: 'leaked key' } });
  const refused = parseRevokeAll(['--resource', '<!channel>', 'leaked', 'key']);
  assert.equal(refused.ok, false);
  assert.match(refused.ok ? '' : refused.error, /"<!channel>" is not a resource name/);
});
