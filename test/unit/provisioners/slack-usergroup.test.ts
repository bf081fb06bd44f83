import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createKeyedLock } from '../../../src/provisioners/keyed-lock.js';
import { ProvisionerError, type AccessEvent } from '../../../src/provisioners/provisioner.js';
import { createSlackUsergroupProvisioner } from '../../../src/provisioners/slack-usergroup.js';
import { createUsergroupAdmin } from '../../../src/slack/usergroup-admin.js';
import pino from 'pino';
import { createWebClient } from '../../../src/slack/web-client.js';
import { slackLogger } from '../../../src/slack/slack-logger.js';
import { startFakeSlack, type FakeSlack } from '../../support/fake-slack.js';

const event = (type: AccessEvent['type'], userId: string): AccessEvent => ({
  type, grant_id: `grt-${userId}`, request_id: `req-${userId}`, exception_id: null, resource: 'oncall', user: { slack_id: userId, email: null },
  granted_at: '2026-11-25T10:00:00.000Z', expires_at: '2026-11-25T11:00:00.000Z', reason: 'paged', revoke_reason: type === 'access.revoke' ? 'expired' : null,
});

describe('the slack_usergroup provisioner, against the fake Slack Web API', () => {
  let slack: FakeSlack;
  const provisioner = (usergroup: string, lock = createKeyedLock()) =>
    createSlackUsergroupProvisioner({ usergroup, admin: createUsergroupAdmin(createWebClient('xoxb-test-token', slack.apiUrl, 1, slackLogger(pino({ level: 'silent' }), 'web-api'))), lock });

  before(async () => {
    slack = await startFakeSlack();
  });
  after(async () => {
    await slack.close();
  });

  test('twenty grants at once all end up in the group: changes to one group never lose each other', async () => {
    slack.setUsergroup('S0ONCALL', ['U0KEEP']);
    const lock = createKeyedLock();
    // Two resources on one group share the lock, as the registry arranges.
    const [a, b] = [provisioner('S0ONCALL', lock), provisioner('S0ONCALL', lock)];
    const users = Array.from({ length: 20 }, (_, i) => `U0P${i}`);
    await Promise.all(users.map((u, i) => (i % 2 ? a : b).apply(event('access.grant', u))));
    assert.deepEqual([...slack.usergroup('S0ONCALL').members].sort(), ['U0KEEP', ...users].sort());
    await Promise.all(users.map((u, i) => (i % 2 ? b : a).apply(event('access.revoke', u))));
    assert.deepEqual(slack.usergroup('S0ONCALL').members, ['U0KEEP'], 'everyone else is removed, nobody lost');
    assert.deepEqual(await a.check?.(), ['U0KEEP']);
  });

  test('removing the last member disables the group; the next grant enables it with only the new member', async () => {
    slack.setUsergroup('S0BREAKGLASS', ['U0ALICE']);
    const p = provisioner('S0BREAKGLASS');
    await p.apply(event('access.revoke', 'U0ALICE'));
    assert.deepEqual(slack.usergroup('S0BREAKGLASS'), { members: ['U0ALICE'], disabled: true }, 'Slack keeps the last member listed');
    assert.deepEqual(await p.check?.(), [], 'a disabled group gives nobody anything');
    await p.apply(event('access.revoke', 'U0ALICE')); // again: nothing to do
    await p.apply(event('access.grant', 'U0BOB'));
    assert.deepEqual(slack.usergroup('S0BREAKGLASS'), { members: ['U0BOB'], disabled: false });
    await p.apply(event('access.grant', 'U0BOB')); // again: nothing to do
    assert.equal(slack.callsTo('usergroups.enable').length, 1);
  });

  test('a Slack error is a failed attempt that names the group and what Slack said', async () => {
    const p = provisioner('S0MISSING');
    await assert.rejects(p.apply(event('access.grant', 'U0ALICE')), /slack_usergroup: adding a member to S0MISSING: usergroups\.users\.list failed: no_such_subteam/);
    assert.deepEqual(await p.probe?.(), ['user group S0MISSING: usergroups.users.list failed: no_such_subteam']);
    slack.setUsergroup('S0FLAKY', ['U0X', 'U0Y']);
    slack.failNext('usergroups.users.update', { error: 'ratelimited' });
    await provisioner('S0FLAKY').apply(event('access.grant', 'U0Z'));
    assert.deepEqual(slack.usergroup('S0FLAKY').members, ['U0X', 'U0Y', 'U0Z'], 'a rate limit answered with ok:false is retried');
  });

  test('a user group that does not exist is an error retrying cannot fix; a Slack hiccup is not', async () => {
    const permanence = (attempt: Promise<void>) => attempt.then(() => 'done', (error: unknown) => error instanceof ProvisionerError && error.permanent);
    assert.equal(await permanence(provisioner('S0GONE').apply(event('access.grant', 'U0ALICE'))), true);
    slack.setUsergroup('S0BUSY', ['U0X', 'U0Y']);
    slack.failNext('usergroups.users.list', { error: 'internal_error' }, 5);
    assert.equal(await permanence(provisioner('S0BUSY').apply(event('access.grant', 'U0Z'))), false);
  });
});
