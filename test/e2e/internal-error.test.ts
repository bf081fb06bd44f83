import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, USERS, type Harness } from '../support/harness.js';

describe('when jitbot itself fails', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('a command that hits an internal error is answered with a reference, and /healthz names SQLite', async () => {
    h.sqlite.close();
    const reply = await h.ask(USERS.alice, 'list');
    assert.match(reply, /Something went wrong on jitbot's side \(reference `[0-9a-f]{8}`\)/);
    const health = await fetch(h.eventsUrl.replace('/slack/events', '/healthz'));
    assert.equal(health.status, 503);
    const report = (await health.json()) as { checks: Record<string, string> };
    assert.match(report.checks['sqlite'] ?? '', /^error: .*not open/);
    assert.equal(report.checks['redis'], 'ok');
  });
});
