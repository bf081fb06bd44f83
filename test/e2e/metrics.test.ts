import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';

/** The value of one sample in Prometheus text format, e.g. `jitbot_requests_total{outcome="approved"}`. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('GET /metrics', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const scrape = async () => {
    const res = await fetch(h.eventsUrl.replace('/slack/events', '/metrics'));
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
});
