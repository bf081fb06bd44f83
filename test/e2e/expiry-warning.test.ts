import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, SIGNING_SECRET, startHarness, USERS, type Harness } from '../support/harness.js';
import { signedPost, viewSubmissionBody } from '../support/slack-requests.js';

const MINUTE = 60_000;
type Call = { args: Record<string, unknown> };
const buttonsOf = (call: Call) => ((call.args['blocks'] ?? []) as { elements?: { action_id?: string; value?: string }[] }[]).flatMap((b) => b.elements ?? []).filter((e) => e.action_id !== undefined);

/** Clicks Extend, picks `byMs` in the form it opens (or a forged value), and returns the form's answer. */
async function extendBy(h: Harness, grantId: string, byMs: number | 'first') {
  const opened = h.slack.callsTo('views.open').length;
  await h.click(USERS.alice, 'extend', grantId);
  const open = await eventually('the Extend form', () => h.slack.callsTo('views.open')[opened]);
  const view = open.args['view'] as { callback_id: string; private_metadata: string; blocks: { block_id?: string; element?: { options: { value: string }[] } }[] };
  const options = view.blocks.find((b) => b.block_id === 'by')?.element?.options.map((o) => Number(o.value)) ?? [];
  const value = String(byMs === 'first' ? options[0] : byMs);
  const body = viewSubmissionBody({ userId: USERS.alice, callbackId: view.callback_id, privateMetadata: view.private_metadata, values: { by: { value: { type: 'static_select', selected_option: { value } } } } });
  const answer = (await (await signedPost(h.eventsUrl, SIGNING_SECRET, body, 'application/x-www-form-urlencoded')).json()) as { response_action: string; errors?: Record<string, string> };
  return { options, answer };
}

describe('expiry warnings, extensions and release', () => {
  let h: Harness;
  let grantId: string;
  before(async () => {
    h = await startHarness({ settings: { expiry_warning: '10m' } });
    const id = requestIdIn(await h.ask(USERS.alice, 'prod-db 30m long migration INC-31'));
    await h.click(USERS.lead, 'approve', id);
    grantId = (await eventually('the grant', () => (h.grantFor(id)?.provisioned_at ? h.grantFor(id) : undefined))).id;
  });
  after(async () => {
    await h.close();
  });

  test('the warning is a delayed job expiry_warning before the end; it DMs the holder with Extend and Release', async () => {
    const job = await h.bot.accessQueue.queue.getJob(`warn-${grantId}`);
    assert.ok(job, 'the warning waits as a delayed job');
    const grant = h.bot.store.findGrant(grantId);
    const dueAt = job.timestamp + (job.opts.delay ?? 0);
    assert.ok(Math.abs(dueAt - ((grant?.expiresAt ?? 0) - 10 * MINUTE - 1_000)) < 3_000, `due ${dueAt - (grant?.expiresAt ?? 0)} ms from the end`);
    await job.promote();
    const dm = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /Your access to \*prod-db\* ends/.test(String(c.args['text'])));
    assert.deepEqual(buttonsOf(dm).map((b) => [b.action_id, b.value]), [['extend', grantId], ['release', grantId]]);
    assert.ok(h.bot.store.findGrant(grantId)?.warnedAt);
  });

  test('Extend within max_duration moves the end of the same grant, tells the provisioner, and warns again later', async () => {
    const before = h.bot.store.findGrant(grantId);
    const { options, answer } = await extendBy(h, grantId, 60 * MINUTE);
    assert.deepEqual(options, [15, 30, 60, 90].map((m) => m * MINUTE), 'steps that fit in 2 h, and the whole 1 h 30 min left');
    assert.equal(answer.response_action, 'update');
    const after = h.bot.store.findGrant(grantId);
    assert.deepEqual([after?.id, after?.status, (after?.expiresAt ?? 0) - (before?.expiresAt ?? 0), after?.extensions, after?.warnedAt], [grantId, 'active', 60 * MINUTE, 1, null]);
    const extend = await eventually('the access.extend webhook', () => h.webhook.deliveries.find((d) => d.body.type === 'access.extend' && d.body.grant_id === grantId));
    assert.equal(extend.body.expires_at, new Date(after?.expiresAt ?? 0).toISOString());
    assert.ok(await h.bot.accessQueue.queue.getJob(`warn-${grantId}`), 'a new warning before the new end');
    assert.equal(h.bot.database.sqlite.prepare("select count(*) from audit_events where subject_id = ? and action = 'grant.extended'").pluck().get(grantId), 1);
  });

  test('beyond max_duration or max_extensions, extending is refused and says how to get more', async () => {
    const forged = await extendBy(h, grantId, 60 * MINUTE);
    assert.deepEqual(forged.options, [15, 30].map((m) => m * MINUTE), '30 min left of the 2 h');
    assert.equal(forged.answer.response_action, 'errors');
    assert.match(forged.answer.errors?.['by'] ?? '', /Choose one of: 15m, 30m/);
    assert.equal((await extendBy(h, grantId, 'first')).answer.response_action, 'update');
    const { responseName } = await h.click(USERS.alice, 'extend', grantId);
    assert.match(String((await h.slack.waitForResponse(responseName)).body['text']), /extended 2 time\(s\), the most prod-db allows \(`max_extensions: 2`\)\. To keep access longer, ask again/);
    const { responseName: other } = await h.click(USERS.bob, 'extend', grantId);
    assert.match(String((await h.slack.waitForResponse(other)).body['text']), /You have no grant/);
  });

  test('Release from the warning ends the access now', async () => {
    const { responseName } = await h.click(USERS.alice, 'release', grantId);
    assert.match(String((await h.slack.waitForResponse(responseName)).body['text']), /prod-db/);
    await eventually('the release', () => (h.grantById(grantId)?.status === 'revoked' ? true : undefined));
    assert.equal(h.grantById(grantId)?.revoke_reason, 'released');
  });

  test('the "access ended" DM carries Request again, which opens the form filled in as last time', async () => {
    const ended = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /Your access to \*prod-db\* ended/.test(String(c.args['text'])));
    assert.deepEqual(buttonsOf(ended).map((b) => [b.action_id, b.value]), [['request_again', grantId]]);
    const opened = h.slack.callsTo('views.open').length;
    await h.click(USERS.alice, 'request_again', grantId);
    const open = await eventually('the request form', () => h.slack.callsTo('views.open')[opened]);
    const view = open.args['view'] as { callback_id: string; blocks: { block_id?: string; element?: { initial_option?: { value: string }; initial_value?: string } }[] };
    const initial = Object.fromEntries(view.blocks.map((b) => [b.block_id, b.element?.initial_option?.value ?? b.element?.initial_value]));
    assert.equal(view.callback_id, 'request_modal');
    assert.deepEqual([initial['resource'], initial['duration'], initial['reason']], ['prod-db', '1h45m', 'long migration INC-31'], '30m, then 1h and 15m more');
    const { responseName } = await h.click(USERS.bob, 'request_again', grantId);
    assert.match(String((await h.slack.waitForResponse(responseName)).body['text']), /You have no grant/);
  });
});

describe('scheduled access', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('approved ahead, provisioned at its start by a delayed job; the clock starts at the start, not at approval', async () => {
    // Alice's Slack time zone is Europe/Paris: the start is read in it.
    const start = h.clock.now().setZone('Europe/Paris').plus({ minutes: 90 }).startOf('minute');
    const id = requestIdIn(await h.ask(USERS.alice, `prod-db 1h at ${start.toFormat("yyyy-LL-dd'T'HH:mm")} night migration INC-40`));
    const post = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0DBAPPROVALS' && JSON.stringify(c.args['blocks']).includes(id));
    assert.match(JSON.stringify(post.args['blocks']), new RegExp(`1 h, from <!date\\^${start.toSeconds()}`));
    await h.click(USERS.lead, 'approve', id);
    const grant = await eventually('the grant', () => h.grantFor(id));
    assert.deepEqual([grant.granted_at, grant.expires_at], [start.toMillis(), start.plus({ hours: 1 }).toMillis()]);
    // The job is queued just after the approval's transaction commits.
    const job = await eventually('the delayed provisioning job', async () => {
      const queued = await h.bot.accessQueue.queue.getJob(`provision-${grant.id}`);
      return queued && (await queued.getState()) === 'delayed' ? queued : undefined;
    });
    assert.match(await h.ask(USERS.alice, 'list'), new RegExp(`\\*prod-db\\* from <!date\\^${start.toSeconds()}.* until <!date\\^${start.plus({ hours: 1 }).toSeconds()}`), '`list` says when it starts');
    await job.promote();
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(h.grantById(grant.id)?.provisioned_at, null, 'run early, the job waits again: nothing is granted before the start');
    assert.equal(h.webhook.deliveries.filter((d) => d.body.grant_id === grant.id).length, 0);

    h.clock.advance(90 * 60_000);
    const again = await h.bot.accessQueue.queue.getJob(`provision-${grant.id}`);
    await again?.promote();
    await eventually('provisioned at the start', () => (h.grantById(grant.id)?.provisioned_at ? true : undefined));
    const delivered = await eventually('the access.grant webhook', () => h.webhook.deliveries.find((d) => d.body.grant_id === grant.id && d.body.type === 'access.grant'));
    assert.equal(delivered.body.granted_at, new Date(start.toMillis()).toISOString());
  });

  test('a start in the past is refused with how to write one, and nothing is written', async () => {
    const before = h.bot.database.sqlite.prepare('select count(*) from requests').pluck().get();
    assert.match(await h.ask(USERS.alice, 'prod-db 1h at 2020-01-01T10:00 too late INC-41'), /has passed; give a start in the future/);
    assert.match(await h.ask(USERS.lead, 'prod-db 1h at 22:00 --emergency fire'), /Break-glass access starts now/);
    assert.equal(h.bot.database.sqlite.prepare('select count(*) from requests').pluck().get(), before);
  });
});
