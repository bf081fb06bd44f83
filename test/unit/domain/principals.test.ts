import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expandPrincipals, isNamedBy } from '../../../src/domain/principals.js';

const groups = {
  'db-leads': { users: ['U0LEAD1', 'U0LEAD2'] },
  engineers: { users: ['U0DEV1', 'U0LEAD1'] },
  security: { usergroup: 'S0SECURITY' },
  oncall: { usergroup: 'S0ONCALL' },
};

describe('expandPrincipals', () => {
  test('a users group expands to its user IDs', () => {
    const expanded = expandPrincipals(groups, ['db-leads']);
    assert.deepEqual([...expanded.users].sort(), ['U0LEAD1', 'U0LEAD2']);
    assert.deepEqual(expanded.usergroups, []);
  });

  test('a usergroup group is left as a Slack user group to look up', () => {
    const expanded = expandPrincipals(groups, ['security']);
    assert.deepEqual([...expanded.users], []);
    assert.deepEqual(expanded.usergroups, ['S0SECURITY']);
  });

  test('a direct user ID names that user', () => {
    const expanded = expandPrincipals(groups, ['U0SOLO']);
    assert.deepEqual([...expanded.users], ['U0SOLO']);
  });

  test('a mix merges users without duplicates and keeps every user group once', () => {
    const expanded = expandPrincipals(groups, ['db-leads', 'engineers', 'U0LEAD1', 'U0SOLO', 'security', 'oncall', 'security']);
    assert.deepEqual([...expanded.users].sort(), ['U0DEV1', 'U0LEAD1', 'U0LEAD2', 'U0SOLO']);
    assert.deepEqual([...expanded.usergroups].sort(), ['S0ONCALL', 'S0SECURITY']);
  });

  test('an empty list names nobody', () => {
    const expanded = expandPrincipals(groups, []);
    assert.equal(expanded.users.size, 0);
    assert.equal(expanded.usergroups.length, 0);
  });
});

describe('isNamedBy', () => {
  const expanded = expandPrincipals(groups, ['db-leads', 'security']);
  const members = new Map([['S0SECURITY', ['U0SEC1', 'U0SEC2']]]);

  test('a user listed in a users group is named', () => {
    assert.equal(isNamedBy(expanded, 'U0LEAD2', members), true);
  });

  test('a member of a listed Slack user group is named', () => {
    assert.equal(isNamedBy(expanded, 'U0SEC2', members), true);
  });

  test('someone in neither is not named', () => {
    assert.equal(isNamedBy(expanded, 'U0DEV1', members), false);
  });

  test('a user group whose members are unknown names nobody', () => {
    assert.equal(isNamedBy(expanded, 'U0SEC1', new Map()), false);
  });

  test('members of a user group the list does not name are not named', () => {
    const other = new Map([['S0ONCALL', ['U0PAGER']], ['S0SECURITY', []]]);
    assert.equal(isNamedBy(expanded, 'U0PAGER', other), false);
  });
});
