import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SlackCall } from '../support/fake-slack.js';
import { eventually, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';

const MINUTE = 60_000;

const textOf = (call: SlackCall) => `${String(call.args['text'])} ${JSON.stringify(call.args['blocks'] ?? [])}`;
const dmsTo = (h: Harness, userId: string, pattern: RegExp) => h.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === userId && pattern.test(textOf(c)));
const securityPosts = (h: Harness, pattern: RegExp) => h.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === 'C0SECURITY' && pattern.test(textOf(c)));

/** Waits for the approval message of `requestId` to be redrawn so that it matches `pattern`. */
async function approvalRedrawn(h: Harness, requestId: string, pattern: RegExp): Promise<SlackCall> {
  const ts = await eventually('the approval message', async () => (await h.bot.store.findRequest(requestId))?.approvalTs ?? undefined);
  return h.slack.waitForCall('chat.update', (c) => c.args['channel'] === 'C0DBAPPROVALS' && c.args['ts'] === ts && pattern.test(textOf(c)), 10_000);
}

async function approved(h: Harness, text: string): Promise<{ requestId: string; grantId: string }> {
  const requestId = requestIdIn(await h.ask(USERS.alice, text));
  await h.click(USERS.lead, 'approve', requestId);
  const grant = await eventually('the grant', () => h.grantFor(requestId));
  return { requestId, grantId: grant.id };
}

describe('a provisioner that fails to set access up is visible at its first failure', () => {
  let h: Harness;
  let moduleDir: string;
  before(async () => {
    // A module provisioner for an identity provider that does not know the person: retrying cannot fix that.
    moduleDir = mkdtempSync(join(tmpdir(), 'jitbot-permanent-'));
    const modulePath = join(moduleDir, 'unknown-user.mjs');
    writeFileSync(
      modulePath,
      `export default () => ({ apply: async (event) => { if (event.type === 'access.grant') throw Object.assign(new Error('no user ' + event.user.slack_id + ' in the IdP'), { permanent: true }); } });\n`,
    );
    h = await startHarness({
      retry: { attempts: 4, backoffMs: 300 },
      captureLogs: true,
      // /metrics is off unless it has its own port or a token.
      env: { METRICS_PORT: '0' },
      policyExtra: `
  idp:
    channel: C0DBAPPROVALS
    approvers: [db-leads]
    max_duration: 2h
    provisioner: { type: module, path: ${modulePath} }
`,
    });
  });
  after(async () => {
    await h.close();
    rmSync(moduleDir, { recursive: true, force: true });
  });

  test('the first failed attempt tells the requester and the approval message; a later success says the access is now active', async () => {
    h.webhook.respondWith(503, 2);
    const { requestId, grantId } = await approved(h, 'prod-db 30m flaky receiver INC-31');
    const dm = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /not active yet/.test(textOf(c)));
    assert.ok(textOf(dm).includes(`setting it up failed (grant \`${grantId}\`; the security team has the details)`), textOf(dm));
    assert.doesNotMatch(textOf(dm), /HTTP 503|receiver says/, 'what the receiver said is not for the requester');
    assert.match(textOf(dm), /jitbot keeps trying/);
    assert.match(textOf(await approvalRedrawn(h, requestId, /Access not set up yet/)), /Approved.*HTTP 503/, 'shown under the decision');

    await eventually('the grant set up', () => h.grantById(grantId)?.provisioned_at ?? undefined, 10_000);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /is now active/.test(textOf(c)) && textOf(c).includes(grantId));
    await approvalRedrawn(h, requestId, /Access is now active/);
    assert.equal(dmsTo(h, USERS.alice, /not active yet/).filter((c) => textOf(c).includes(grantId)).length, 1, 'told once, not on every attempt');
    assert.equal(securityPosts(h, new RegExp(grantId)).length, 0, 'a failure retrying fixed is no alert');
  });

  test('each failed attempt is logged once, with the error once', async () => {
    const failures = h.logs.filter((line) => line['msg'] === 'access job attempt failed' && JSON.stringify(line).includes('HTTP 503'));
    assert.equal(failures.length, 2, 'two failed attempts, two lines');
    for (const line of failures) assert.equal(JSON.stringify(line).split('receiver says 503').length - 1, 1, JSON.stringify(line));
    assert.equal(h.logs.filter((line) => JSON.stringify(line).includes('receiver says 503')).length, 2, 'and no other line repeats it');
  });

  test('when jitbot gives up, the grant is provision_failed, and the requester, the approval message and security are told', async () => {
    h.webhook.respondWith(500, 4);
    const { requestId, grantId } = await approved(h, 'prod-db 30m receiver down INC-32');
    await eventually('provision_failed', () => (h.grantById(grantId)?.status === 'provision_failed' ? true : undefined), 15_000);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /could not be set up, and jitbot has stopped trying/.test(textOf(c)));
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && textOf(c).includes(grantId) && /jitbot has stopped trying/.test(textOf(c)));
    await approvalRedrawn(h, requestId, /Access could not be set up, and jitbot has stopped trying: webhook: HTTP 500/);
    const events = h.sqlite.prepare("select action from audit_events where subject_id = ? order by seq").pluck().all(grantId);
    assert.deepEqual(events, ['grant.created', 'grant.provision_failed']);
  });

  test('/request list and App Home show access that is not set up apart from active access', async () => {
    const failed = h.sqlite.prepare("select id from grants where status = 'provision_failed'").pluck().get() as string;
    const list = await h.ask(USERS.alice, 'list');
    const [activePart, notSetUpPart] = list.split('*Access not set up*');
    assert.ok(notSetUpPart?.includes(failed), list);
    assert.ok(notSetUpPart?.includes(`not set up: jitbot has stopped trying (grant \`${failed}\`; the security team has the details)`), notSetUpPart);
    assert.ok(!activePart?.includes(failed), 'not listed as active access');

    await h.openHome(USERS.alice);
    const home = await h.slack.waitForCall('views.publish', (c) => c.args['user_id'] === USERS.alice && JSON.stringify(c.args['view']).includes(failed));
    const blocks = (home.args['view'] as { blocks: { block_id?: string; text?: { text: string }; elements?: { action_id?: string }[] }[] }).blocks;
    const line = blocks.find((b) => b.text?.text.includes(failed));
    assert.match(line?.text?.text ?? '', /not set up: jitbot has stopped trying/);
    assert.deepEqual(blocks.find((b) => b.block_id === `home-grant-${failed}`)?.elements?.map((e) => e.action_id), ['release'], 'nothing to extend');
  });

  test('jitbot_active_grants counts only access that is set up; the rest is counted by setup state', async () => {
    const res = await fetch(h.metricsUrl);
    const text = await res.text();
    const sample = (name: string) => Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.slice(name.length + 1));
    assert.equal(sample('jitbot_active_grants'), 1, 'the grant set up after a failure; not the one that failed');
    assert.equal(sample('jitbot_grants_not_set_up{state="setup_failed"}'), 1);
  });

  test('the security review lists access that is not set up apart, and does not count it as active', async () => {
    const failed = h.sqlite.prepare("select id from grants where status = 'provision_failed'").pluck().get() as string;
    await h.ask(USERS.sec, 'review');
    const review = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && String(c.args['text']).startsWith('Security review'));
    const blocks = JSON.stringify(review.args['blocks']);
    assert.match(String(review.args['text']), /: 1 active grants/);
    assert.match(blocks, new RegExp(`Approved but not set up.*${failed}.*setup failed, jitbot stopped trying: webhook: HTTP 500`));
    assert.match(blocks, /\*Not set up\*\\n1/);
  });

  test('an error retrying cannot fix is told at once to the requester, the approval message and security', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'idp 30m onboarding'));
    await h.click(USERS.lead, 'approve', requestId);
    const grant = await eventually('the grant', () => h.grantFor(requestId));
    const dm = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /not active yet/.test(textOf(c)) && textOf(c).includes(grant.id));
    assert.match(textOf(dm), /the security team has the details\)\. Retrying cannot fix this/);
    assert.doesNotMatch(textOf(dm), /no user U0ALICE in the IdP/, "the module's words are for the approvers and security");
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && textOf(c).includes(grant.id) && /no user U0ALICE in the IdP.*jitbot retries less often/.test(textOf(c)));
    await approvalRedrawn(h, requestId, /Access not set up yet: module: no user U0ALICE in the IdP\. Retrying cannot fix this/);
    assert.equal(h.grantById(grant.id)?.status, 'active', 'still retried, less often: not given up yet');
  });
});

describe('a revocation that keeps failing is alerted once it is a minute overdue', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ retry: { attempts: 5, backoffMs: 500 } });
  });
  after(async () => {
    await h.close();
  });

  const alertsOf = (grantId: string) => securityPosts(h, /Revocation (overdue|failed)/).filter((c) => textOf(c).includes(grantId) && c.args['thread_ts'] === undefined);

  async function releasedWhileFailing(text: string): Promise<string> {
    const { grantId } = await approved(h, text);
    await eventually('set up', () => h.grantById(grantId)?.provisioned_at ?? undefined);
    h.webhook.respondWith(500, 1_000);
    await h.ask(USERS.alice, `release ${grantId}`);
    await eventually('a failed revocation attempt', async () => (await h.bot.store.findGrant(grantId))?.revokeError ?? undefined);
    assert.deepEqual(alertsOf(grantId), [], 'not alerted while the access has not outlived its end by a minute');
    h.clock.advance(MINUTE + 1_000);
    return grantId;
  }

  test('the alert says it is retrying, and is redrawn when the revocation finally succeeds', async () => {
    const grantId = await releasedWhileFailing('prod-db 30m stuck revoke INC-41');
    const alert = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && /Revocation overdue/.test(textOf(c)) && textOf(c).includes(grantId));
    assert.match(textOf(alert), /retrying.*Last error: webhook: HTTP 500/);
    h.webhook.answerNormally();
    await eventually('revoked', () => (h.grantById(grantId)?.status === 'revoked' ? true : undefined), 10_000);
    const ts = ((await h.bot.store.findGrant(grantId))?.revokeAlertTs ?? '') || undefined;
    assert.ok(ts);
    await h.slack.waitForCall('chat.update', (c) => c.args['channel'] === 'C0SECURITY' && c.args['ts'] === ts && /Revocation succeeded/.test(textOf(c)));
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && c.args['thread_ts'] === ts && /finally succeeded/.test(textOf(c)));
    assert.equal(alertsOf(grantId).length, 1, 'one alert per grant');
  });

  test('the alert is redrawn when the revocation becomes revoke_failed, and again when it succeeds', async () => {
    const grantId = await releasedWhileFailing('prod-db 30m stuck for good INC-42');
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && /Revocation overdue/.test(textOf(c)) && textOf(c).includes(grantId));
    await eventually('revoke_failed', () => (h.grantById(grantId)?.status === 'revoke_failed' ? true : undefined), 20_000);
    const ts = (await h.bot.store.findGrant(grantId))?.revokeAlertTs ?? undefined;
    await h.slack.waitForCall('chat.update', (c) => c.args['ts'] === ts && /Revocation failed.*revoke_failed.*keeps retrying/.test(textOf(c)));
    h.webhook.answerNormally();
    await eventually('revoked', () => (h.grantById(grantId)?.status === 'revoked' ? true : undefined), 10_000);
    await h.slack.waitForCall('chat.update', (c) => c.args['ts'] === ts && /Revocation succeeded/.test(textOf(c)));
    assert.equal(alertsOf(grantId).length, 1, 'redrawn, not posted again');
  });

  test('a receiver that fails once or twice and then answers raises no alert', async () => {
    const { grantId } = await approved(h, 'prod-db 30m brief hiccup INC-43');
    await eventually('set up', () => h.grantById(grantId)?.provisioned_at ?? undefined);
    h.webhook.respondWith(500, 2);
    await h.ask(USERS.alice, `release ${grantId}`);
    await eventually('revoked', () => (h.grantById(grantId)?.status === 'revoked' ? true : undefined), 10_000);
    await eventually('the access ended DM', () => dmsTo(h, USERS.alice, new RegExp(`ended.*${grantId}`))[0]);
    assert.deepEqual(securityPosts(h, new RegExp(grantId)), []);
  });
});
