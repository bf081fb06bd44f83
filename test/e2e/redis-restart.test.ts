import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';
import { startOwnRedis } from '../support/redis-server.js';

describe('Redis going away and coming back empty', () => {
  let redis: Awaited<ReturnType<typeof startOwnRedis>>;
  let h: Harness;
  before(async () => {
    redis = await startOwnRedis();
    h = await startHarness({ redisUrl: redis.url });
  });
  after(async () => {
    await h.close();
    await redis.stop();
  });

  test('/healthz names Redis while it is down, and a grant approved before the outage is still revoked on time', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'prod-db 4s outage INC-40'));
    await h.click(USERS.lead, 'approve', requestId);
    const grant = await eventually('provisioned', () => h.sqlite.prepare('select id, expires_at from grants where request_id = ? and provisioned_at is not null').get(requestId) as { id: string; expires_at: number } | undefined);

    await redis.stop();
    const health = await fetch(h.eventsUrl.replace('/slack/events', '/healthz'));
    assert.equal(health.status, 503);
    const report = (await health.json()) as { checks: Record<string, string> };
    assert.equal(report.checks['sqlite'], 'ok');
    assert.match(report.checks['redis'] ?? '', /^error: /);

    // Back, but empty: no persistence, so the delayed revocation job is gone.
    await redis.start();
    const revoked = await eventually(
      'revoked after Redis came back empty',
      () => h.sqlite.prepare("select revoke_reason, revoked_at, expires_at from grants where id = ? and status = 'revoked'").get(grant.id) as
        | { revoke_reason: string; revoked_at: number; expires_at: number }
        | undefined,
      10_000,
    );
    assert.equal(revoked.revoke_reason, 'expired');
    assert.ok(revoked.revoked_at - revoked.expires_at < 1_000, `timers restored on reconnect; late by ${revoked.revoked_at - revoked.expires_at} ms`);
    const healthy = await eventually('healthy again', async () => ((await fetch(h.eventsUrl.replace('/slack/events', '/healthz'))).status === 200 ? true : undefined));
    assert.equal(healthy, true);
  });
});
