import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dropPrefix } from '../support/redis-prefix.js';
import { eventually, requestIdIn, startHarness, USERS, type GrantState, type Harness } from '../support/harness.js';

const grantOf = (h: Harness, requestId: string) => h.grantFor(requestId);

async function approvedGrant(h: Harness, text: string): Promise<GrantState> {
  const requestId = requestIdIn(await h.ask(USERS.alice, text));
  await h.click(USERS.lead, 'approve', requestId);
  return eventually('grant provisioned', () => {
    const g = grantOf(h, requestId);
    return g?.provisioned_at ? g : undefined;
  });
}

const revokedGrant = (h: Harness, id: string, timeoutMs = 8_000) =>
  eventually(
    `grant ${id} revoked`,
    () => {
      const g = h.grantById(id);
      return g?.status === 'revoked' ? g : undefined;
    },
    timeoutMs,
  );

describe('SQLite is the truth: revocation survives restarts, lost timers and failing dependencies', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('a restart between approval and expiry still revokes on time', async () => {
    const grant = await approvedGrant(h, 'prod-db 3s restart INC-20');
    await h.restart();
    const revoked = await revokedGrant(h, grant.id);
    assert.equal(revoked.revoke_reason, 'expired');
    assert.ok((revoked.revoked_at ?? 0) - revoked.expires_at < 1_000, `late by ${(revoked.revoked_at ?? 0) - revoked.expires_at} ms`);
  });

  test('Redis losing every key (as after FLUSHALL) before expiry still revokes within reconcile_interval', async () => {
    const grant = await approvedGrant(h, 'prod-db 3s flush INC-21');
    // Only our prefix is wiped: other test runs share this Redis.
    await dropPrefix(h.prefix);
    const revoked = await revokedGrant(h, grant.id);
    assert.equal(revoked.revoke_reason, 'expired');
    const lateness = (revoked.revoked_at ?? 0) - revoked.expires_at;
    assert.ok(lateness < 1_000 + 1_000, `reconcile_interval is 1s; late by ${lateness} ms`);
  });

  test('a provisioner that fails and then recovers provisions the grant, reusing the same webhook-id', async () => {
    h.webhook.respondWith(503, 2);
    const before = h.webhook.deliveries.length;
    const grant = await approvedGrant(h, 'prod-db 1h flaky INC-22');
    const attempts = h.webhook.deliveries.slice(before).filter((d) => d.body.grant_id === grant.id);
    assert.deepEqual(attempts.map((d) => d.status), [503, 503, 204]);
    assert.equal(new Set(attempts.map((d) => d.id)).size, 1, 'every retry carries the same webhook-id');
    await h.ask(USERS.alice, `release ${grant.id}`);
    await revokedGrant(h, grant.id);
  });

  test('a revocation that keeps failing becomes revoke_failed, alerts security, and is retried until it succeeds', async () => {
    const grant = await approvedGrant(h, 'prod-db 1s doomed INC-23');
    h.webhook.respondWith(500, 3);
    const failed = await eventually('revoke_failed', () => {
      const g = h.grantById(grant.id);
      return g?.status === 'revoke_failed' ? g : undefined;
    }, 8_000);
    assert.equal(failed.status, 'revoke_failed');
    const alert = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && /Revocation failed/.test(String(c.args['text'])));
    assert.match(String(alert.args['text']), new RegExp(grant.id));
    const revoked = await revokedGrant(h, grant.id);
    assert.equal(revoked.revoke_reason, 'expired');
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && /finally succeeded/.test(String(c.args['text'])));
  });

  test('Slack rate limiting (429 with Retry-After) delays the approval message but does not lose it', async () => {
    h.slack.reset();
    // Only the approval message: a DM still on its way from an earlier test must not take the 429.
    h.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 }, 1, (args) => args['channel'] === 'C0DBAPPROVALS');
    const requestId = requestIdIn(await h.ask(USERS.alice, 'prod-db 30m ratelimited INC-24'));
    const attempts = h.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === 'C0DBAPPROVALS');
    assert.equal(attempts.length, 2, 'refused once with 429, then posted');
    const [refused, accepted] = attempts;
    assert.ok(refused && accepted && JSON.stringify(accepted.args['blocks']).includes(requestId));
    assert.ok(accepted.at - refused.at >= 900, `the retry waited for Retry-After (waited ${accepted.at - refused.at} ms)`);
    assert.equal(h.sqlite.prepare('select approval_ts from requests where id = ?').pluck().get(requestId) !== null, true);
  });

  test('a DM Slack refuses never blocks the grant or its revocation', async () => {
    h.slack.failNext('chat.postMessage', { error: 'channel_not_found' }, 50);
    const requestId = requestIdIn(await h.ask(USERS.bob, 'staging 2s dm fails'));
    await h.click(USERS.sec, 'approve', requestId);
    const grant = await eventually('grant', () => grantOf(h, requestId));
    const revoked = await revokedGrant(h, grant.id);
    assert.equal(revoked.revoke_reason, 'expired');
  });
});

describe('lost timers with a long reconcile_interval', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ settings: { reconcile_interval: '5m' } });
  });
  after(async () => {
    await h.close();
  });

  test('are noticed within about a second, not a whole interval, and the grant is revoked on time', async () => {
    const grant = await approvedGrant(h, 'prod-db 3s flush with a 5m sweep INC-23');
    await dropPrefix(h.prefix);
    const revoked = await revokedGrant(h, grant.id);
    const lateness = (revoked.revoked_at ?? 0) - revoked.expires_at;
    assert.ok(lateness < 1_000, `the timers are checked every second; late by ${lateness} ms`);
  });
});
