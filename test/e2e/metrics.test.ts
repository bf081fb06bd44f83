import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect } from 'node:net';
import { eventually, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';

const METRICS_TOKEN = 'metrics-token-0123456789';

/** The value of one sample in Prometheus text format, e.g. `jitbot_requests_total{outcome="approved"}`. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('GET /metrics', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { METRICS_TOKEN } });
  });
  after(async () => {
    await h.close();
  });

  const scrape = async () => {
    const res = await fetch(h.metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    return res.text();
  };

  test('counts requests by outcome, times approvals and revocations, and reports grants, exceptions, queue and Slack errors', async () => {
    const expiring = requestIdIn(await h.ask(USERS.alice, 'prod-db 2s metrics INC-1'));
    await h.click(USERS.lead, 'approve', expiring);
    const lasting = requestIdIn(await h.ask(USERS.bob, 'prod-db 1h metrics INC-2'));
    await h.click(USERS.lead, 'approve', lasting);
    const denied = requestIdIn(await h.ask(USERS.bob, 'prod-db 1h metrics INC-3'));
    await h.click(USERS.lead, 'deny', denied);
    await eventually('expired grant revoked', () => (h.grantFor(expiring)?.status === 'revoked' ? true : undefined), 8_000);
    h.slack.failNext('chat.postMessage', { error: 'not_in_channel' });
    await h.ask(USERS.alice, 'staging 10m refused post');

    const text = await eventually('metrics caught up', async () => {
      const body = await scrape();
      return sample(body, 'jitbot_provisioner_calls_total{type="webhook",action="revoke",result="ok"}') === 1 ? body : undefined;
    });
    assert.equal(sample(text, 'jitbot_requests_total{outcome="requested"}'), 4);
    assert.equal(sample(text, 'jitbot_requests_total{outcome="approved"}'), 2);
    assert.equal(sample(text, 'jitbot_requests_total{outcome="denied"}'), 1);
    assert.equal(sample(text, 'jitbot_approval_latency_seconds_count'), 2);
    assert.equal(sample(text, 'jitbot_revocation_lateness_seconds_count'), 1);
    assert.equal(sample(text, 'jitbot_revocation_lateness_seconds_bucket{le="1"}'), 1, 'revoked within a second of expiry');
    assert.equal(sample(text, 'jitbot_provisioner_calls_total{type="webhook",action="grant",result="ok"}'), 2);
    assert.equal(sample(text, 'jitbot_active_grants'), 1);
    assert.equal(sample(text, 'jitbot_open_exceptions'), 0);
    assert.ok((sample(text, 'jitbot_queue_jobs{state="delayed"}') ?? 0) >= 1, 'the lasting grant’s revocation waits in the delayed set');
    assert.equal(sample(text, 'jitbot_slack_api_errors_total{method="chat.postMessage",error="not_in_channel"}'), 1);
    assert.match(text, /^jitbot_process_resident_memory_bytes /m);
  });

  test('names the replica (as its log lines do), its store and role, and the once-at-a-time tasks it runs', async () => {
    const text = await scrape();
    assert.equal(sample(text, `jitbot_replica_info{replica="${h.bot.replicaId}",store="sqlite",role="all"}`), 1);
    assert.equal(sample(text, 'jitbot_lease_held{lease="reconcile"}'), 1, 'one process on SQLite runs the sweep');
    assert.equal(sample(text, 'jitbot_lease_held{lease="drift"}'), 1);
  });
});

/** Whether anything accepts a TCP connection on host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('/metrics is not public by default', () => {
  test('with neither METRICS_PORT nor METRICS_TOKEN set, /metrics is not served', async () => {
    const h = await startHarness();
    try {
      const res = await fetch(h.eventsUrl.replace('/slack/events', '/metrics'));
      assert.equal(res.status, 404);
      assert.doesNotMatch(await res.text(), /jitbot_active_grants/);
    } finally {
      await h.close();
    }
  });

  test('with METRICS_TOKEN, /metrics answers only Authorization: Bearer <that token>', async () => {
    const h = await startHarness({ env: { METRICS_TOKEN } });
    try {
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Bearer ${METRICS_TOKEN}x`, METRICS_TOKEN, `Basic ${METRICS_TOKEN}`]) {
        const res = await fetch(h.metricsUrl, { headers: authorization === undefined ? {} : { authorization } });
        assert.equal(res.status, 401, `refused with ${authorization ?? 'no header'}`);
        assert.doesNotMatch(await res.text(), /jitbot_active_grants/);
      }
      const res = await fetch(h.metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      assert.equal(res.status, 200);
      assert.match(await res.text(), /^jitbot_active_grants 0$/m);
    } finally {
      await h.close();
    }
  });

  test('with METRICS_PORT, /metrics is served on that port and not on PORT, which keeps everything else', async () => {
    const h = await startHarness({ env: { METRICS_PORT: '0' } });
    try {
      assert.notEqual(new URL(h.metricsUrl).port, new URL(h.eventsUrl).port);
      const res = await fetch(h.metricsUrl);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /^jitbot_active_grants 0$/m);
      assert.equal((await fetch(h.eventsUrl.replace('/slack/events', '/metrics'))).status, 404, 'not on the main port');
      assert.equal((await fetch(h.metricsUrl.replace('/metrics', '/healthz'))).status, 404, 'the metrics port serves metrics only');
      assert.equal((await fetch(h.eventsUrl.replace('/slack/events', '/healthz'))).status, 200);
    } finally {
      await h.close();
    }
  });

  test('HOST is the address both ports listen on', async () => {
    const h = await startHarness({ env: { HOST: '127.0.0.1', METRICS_PORT: '0' } });
    try {
      const port = Number(new URL(h.eventsUrl).port);
      const metricsPort = Number(new URL(h.metricsUrl).port);
      assert.equal(await accepts('127.0.0.1', port), true);
      // 127.0.0.2 is loopback too: only a bot listening on 0.0.0.0 would answer there.
      assert.equal(await accepts('127.0.0.2', port), false);
      assert.equal(await accepts('127.0.0.2', metricsPort), false);
    } finally {
      await h.close();
    }
  });
});
