import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accountOf, type Provisioner } from '../../../src/provisioners/provisioner.js';
import { mappedAccount } from '../../../src/services/accounts.js';

const logins: Pick<Provisioner, 'type' | 'identify'> = { type: 'postgres', identify: (user) => (user.email?.endsWith('@example.com') ? user.email.split('@')[0] : undefined) };
const alice = { slack_id: 'U0ALICE', email: 'alice@example.com' };
const mallory = { slack_id: 'U0MAL', email: 'app_devs@anything.example' };

test('the account a person gets: a named one, themself (no identify, or their Slack ID), or none', () => {
  assert.deepEqual(accountOf(logins, alice), { kind: 'named', identity: 'alice', at: 'postgres' });
  assert.deepEqual(accountOf(logins, mallory), { kind: 'unmapped', at: 'postgres' });
  assert.deepEqual(accountOf({ type: 'webhook' }, mallory), { kind: 'as_person' });
  assert.deepEqual(accountOf({ type: 'slack_usergroup', identify: (u) => u.slack_id }, mallory), { kind: 'as_person' });
  assert.deepEqual(accountOf(undefined, mallory), { kind: 'as_person' });
});

test('asking needs an account: none mapped is refused with the email it was read from, or a retry when Slack did not answer', () => {
  const lookup = (_resource: string, user: { slack_id: string; email: string | null }) => accountOf(logins, user);
  assert.deepEqual(mappedAccount(lookup, 'pgdb', alice, true), { ok: true, value: { kind: 'named', identity: 'alice', at: 'postgres' } });
  const refused = mappedAccount(lookup, 'pgdb', mallory, true);
  assert.ok(!refused.ok);
  assert.match(refused.error, /^No postgres account on pgdb maps to you \(your Slack email is app_devs@anything\.example\)/);
  const noEmail = mappedAccount(lookup, 'pgdb', { slack_id: 'U0X', email: null }, true);
  assert.ok(!noEmail.ok && /your Slack profile shows no email/.test(noEmail.error));
  const unread = mappedAccount(lookup, 'pgdb', { slack_id: 'U0X', email: null }, false);
  assert.ok(!unread.ok && /could not read your Slack profile.*try again in a minute/.test(unread.error));
});
