import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';
import { TIMER_LEAD_MS } from '../../src/jobs/access-queue.js';

const MINUTE = 60_000;
type Call = { args: Record<string, unknown> };
const buttonsOf = (call: Call) => ((call.args['blocks'] ?? []) as { elements?: { action_id?: string; value?: string }[] }[]).flatMap((b) => b.elements ?? []).filter((e) => e.action_id !== undefined);

/** Alice extends her grant from the form Extend opens. */
const extendBy = (h: Harness, grantId: string, byMs: number | 'first') => h.extendBy(USERS.alice, grantId, byMs);

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
    const grant = await h.bot.store.findGrant(grantId);
    const dueAt = job.timestamp + (job.opts.delay ?? 0);
    assert.ok(Math.abs(dueAt - ((grant?.expiresAt ?? 0) - 10 * MINUTE - TIMER_LEAD_MS)) < 3_000, `due ${dueAt - (grant?.expiresAt ?? 0)} ms from the end`);
    h.clock.advance((grant?.expiresAt ?? 0) - 10 * MINUTE - h.clock.now().toMillis());
    await job.promote();
    const dm = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /Your access to \*prod-db\* ends/.test(String(c.args['text'])));
    assert.deepEqual(buttonsOf(dm).map((b) => [b.action_id, b.value]), [['extend', grantId], ['release', grantId]]);
    assert.ok((await h.bot.store.findGrant(grantId))?.warnedAt);
  });

  test('Extend within max_duration moves the end of the same grant, tells the provisioner, and warns again later', async () => {
    const before = await h.bot.store.findGrant(grantId);
    const { options, answer } = await extendBy(h, grantId, 60 * MINUTE);
    assert.deepEqual(options, [15, 30, 60, 90, 120].map((m) => m * MINUTE), 'steps that fit in 2 h, the whole 1 h 30 min left, and 2 h for the approvers');
    assert.equal(answer.response_action, 'update');
    const after = await h.bot.store.findGrant(grantId);
    assert.deepEqual([after?.id, after?.status, (after?.expiresAt ?? 0) - (before?.expiresAt ?? 0), after?.extensions, after?.warnedAt], [grantId, 'active', 60 * MINUTE, 1, null]);
    const extend = await eventually('the access.extend webhook', () => h.webhook.deliveries.find((d) => d.body.type === 'access.extend' && d.body.grant_id === grantId));
    assert.equal(extend.body.expires_at, new Date(after?.expiresAt ?? 0).toISOString());
    assert.ok(await h.bot.accessQueue.queue.getJob(`warn-${grantId}`), 'a new warning before the new end');
    assert.equal(h.sqlite.prepare("select count(*) from audit_events where subject_id = ? and action = 'grant.extended'").pluck().get(grantId), 1);
  });

  test('beyond max_duration the form offers longer extensions for the approvers; approved, the same grant ends later', async () => {
    const forged = await extendBy(h, grantId, 45 * MINUTE);
    assert.deepEqual(forged.options, [15, 30, 60, 120].map((m) => m * MINUTE), '30 min left of the 2 h at once; 1 h and 2 h for the approvers');
    assert.equal(forged.answer.response_action, 'errors');
    assert.match(forged.answer.errors?.['by'] ?? '', /Choose one of: 15 min, 30 min, 1 h, 2 h/);

    const before = await h.bot.store.findGrant(grantId);
    const asked = await extendBy(h, grantId, 60 * MINUTE);
    assert.equal(asked.answer.response_action, 'update');
    const request = h.sqlite.prepare('select * from requests where extends_grant_id = ?').get(grantId) as { id: string; status: string; duration_ms: number };
    assert.deepEqual([request.status, request.duration_ms], ['pending', 60 * MINUTE]);
    assert.equal((await h.bot.store.findGrant(grantId))?.expiresAt, before?.expiresAt, 'nothing changes before the approvers decide');
    const created = h.sqlite.prepare("select details from audit_events where subject_id = ? and action = 'request.created'").pluck().get(request.id) as string;
    assert.equal(JSON.parse(created).extends_grant_id, grantId);
    const post = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0DBAPPROVALS' && JSON.stringify(c.args['blocks']).includes(request.id));
    assert.match(JSON.stringify(post.args['blocks']), new RegExp(`asks to extend their access to \\*prod-db\\*.*\`${grantId}\`.*Longer by\\*\\\\n1 h`));
    assert.deepEqual(buttonsOf(post).map((b) => [b.action_id, b.value]), [['approve', request.id], ['deny', request.id]]);

    const again = await extendBy(h, grantId, 60 * MINUTE);
    assert.match(again.answer.errors?.['by'] ?? '', new RegExp(`You already asked to extend \`${grantId}\` \\(\`${request.id}\`\\)`));

    await h.click(USERS.lead, 'approve', request.id);
    const after = await eventually('the extension', async () => {
      const grant = await h.bot.store.findGrant(grantId);
      return grant && grant.expiresAt > (before?.expiresAt ?? 0) ? grant : undefined;
    });
    assert.deepEqual([after.id, after.status, after.expiresAt - (before?.expiresAt ?? 0), after.extensions], [grantId, 'active', 60 * MINUTE, 2]);
    assert.equal((await h.bot.store.findRequest(request.id))?.status, 'approved');
    assert.equal(h.sqlite.prepare('select count(*) from grants where request_id = ?').pluck().get(request.id), 0, 'no new grant');
    const audit = h.sqlite.prepare("select actor, details from audit_events where subject_id = ? and action = 'grant.extended' order by seq desc").get(grantId) as { actor: string; details: string };
    assert.equal(audit.actor, USERS.lead);
    assert.equal(JSON.parse(audit.details).request_id, request.id);
    await eventually('the access.extend webhook', () => h.webhook.deliveries.find((d) => d.body.type === 'access.extend' && d.body.expires_at === new Date(after.expiresAt).toISOString()));
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /approved extending your access to \*prod-db\*/.test(String(c.args['text'])));
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /now lasts until/.test(String(c.args['text'])));
  });

  test('past max_extensions, extending is refused and says how to get more', async () => {
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
    assert.deepEqual([initial['resource'], initial['duration'], initial['reason']], ['prod-db', '2h30m', 'long migration INC-31'], '30m, then 1h at once and 1h approved');
    const { responseName } = await h.click(USERS.bob, 'request_again', grantId);
    assert.match(String((await h.slack.waitForResponse(responseName)).body['text']), /You have no grant/);
  });
});

describe('extension requests that cannot apply', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ settings: { expiry_warning: '10m' } });
  });
  after(async () => {
    await h.close();
  });

  async function heldGrant(reason: string) {
    const id = requestIdIn(await h.ask(USERS.alice, `prod-db 2h ${reason}`));
    await h.click(USERS.lead, 'approve', id);
    return (await eventually('the grant', () => (h.grantFor(id)?.provisioned_at ? h.grantFor(id) : undefined))).id;
  }

  test('extended before its warning, the warning job set for the old end waits for the new one', async () => {
    const id = requestIdIn(await h.ask(USERS.alice, 'prod-db 30m early extension INC-51'));
    await h.click(USERS.lead, 'approve', id);
    const grantId = (await eventually('the grant', () => (h.grantFor(id)?.provisioned_at ? h.grantFor(id) : undefined))).id;
    assert.equal((await extendBy(h, grantId, 60 * MINUTE)).answer.response_action, 'update');
    const job = await h.bot.accessQueue.queue.getJob(`warn-${grantId}`);
    assert.ok(job);
    await job.promote();
    await eventually('the warning job back in the delayed set', async () => ((await h.bot.accessQueue.queue.getJob(`warn-${grantId}`))?.getState().then((state) => (state === 'delayed' ? true : undefined))));
    const warningDm = (c: Call) => c.args['channel'] === USERS.alice && String(c.args['text']).includes(`ends <!date`) && String(c.args['text']).includes(grantId);
    assert.equal((await h.bot.store.findGrant(grantId))?.warnedAt, null);
    assert.ok(!h.slack.callsTo('chat.postMessage').some(warningDm), 'no warning 1 h 20 min before the end');

    // At the new moment (the clock moved to 10 min before the new end), the same job warns.
    const grant = await h.bot.store.findGrant(grantId);
    h.clock.advance((grant?.expiresAt ?? 0) - 10 * MINUTE - h.clock.now().toMillis());
    await (await h.bot.accessQueue.queue.getJob(`warn-${grantId}`))?.promote();
    await h.slack.waitForCall('chat.postMessage', warningDm);
    assert.ok((await h.bot.store.findGrant(grantId))?.warnedAt);
  });

  test('denied, the access ends as before; its grant ended, an approval is withdrawn and approves nothing', async () => {
    const grantId = await heldGrant('denied extension INC-50');
    const ends = (await h.bot.store.findGrant(grantId))?.expiresAt;
    assert.equal((await extendBy(h, grantId, 60 * MINUTE)).answer.response_action, 'update');
    const denied = await h.bot.store.pendingExtensionOf(grantId);
    assert.ok(denied);
    await h.click(USERS.lead2, 'deny', denied.id);
    await eventually('denied', async () => ((await h.bot.store.findRequest(denied.id))?.status === 'denied' ? true : undefined));
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /denied extending your access to \*prod-db\*.*ends as before/.test(String(c.args['text'])));
    assert.equal((await h.bot.store.findGrant(grantId))?.expiresAt, ends);

    assert.equal((await extendBy(h, grantId, 60 * MINUTE)).answer.response_action, 'update');
    const late = await h.bot.store.pendingExtensionOf(grantId);
    assert.ok(late);
    await h.click(USERS.alice, 'release', grantId);
    await eventually('released', () => (h.grantById(grantId)?.status === 'revoked' ? true : undefined));
    const { responseName } = await h.click(USERS.lead, 'approve', late.id);
    assert.match(String((await h.slack.waitForResponse(responseName)).body['text']), /has already ended, so jitbot withdrew the request; nothing was approved/);
    assert.deepEqual([(await h.bot.store.findRequest(late.id))?.status, (await h.bot.store.findRequest(late.id))?.decidedBy], ['cancelled', 'jitbot']);
    assert.equal(h.grantById(grantId)?.status, 'revoked');
    await h.slack.waitForCall('chat.update', (c) => JSON.stringify(c.args).includes(late.id) && /Withdrawn by jitbot/.test(JSON.stringify(c.args)));
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
    const before = h.sqlite.prepare('select count(*) from requests').pluck().get();
    assert.match(await h.ask(USERS.alice, 'prod-db 1h at 2020-01-01T10:00 too late INC-41'), /has passed; give a start in the future/);
    assert.match(await h.ask(USERS.lead, 'prod-db 1h at 22:00 --emergency fire'), /Break-glass access starts now/);
    assert.equal(h.sqlite.prepare('select count(*) from requests').pluck().get(), before);
  });
});
