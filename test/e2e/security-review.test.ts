import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { SIGNING_SECRET, USERS, eventually, exceptionIdIn, requestIdIn, startHarness, type Harness } from '../support/harness.js';
import { signedPost, viewSubmissionBody } from '../support/slack-requests.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;
const ADMIN_TOKEN = 'review-test-admin-token-0123456789';

/** legacy: grants up to 12 h (long-lived past 8 h), and standing opt-outs approved by security. */
const legacy = `
  legacy:
    channel: C0LEGACY
    approvers: [db-leads]
    max_duration: 12h
    opt_out: { allowed: true, approvers: [security], max_duration: 3d, mode: standing }
`;

interface SlackBlock {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: { action_id?: string; value?: string; text?: string | { text: string } }[];
}

const reviewPosts = (h: Harness) => h.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === 'C0SECURITY' && String(c.args['text']).startsWith('Security review'));
const blocksOf = (call: { args: Record<string, unknown> }) => (call.args['blocks'] ?? []) as SlackBlock[];
const audit = (h: Harness, subjectId: string) =>
  h.sqlite.prepare('select action, actor, reason, details from audit_events where subject_id = ? order by seq').all(subjectId) as { action: string; actor: string; reason: string | null; details: string }[];
const decisionsIn = (h: Harness, reviewId: string) =>
  h.sqlite.prepare('select subject_id, decision, decided_by, note from review_decisions where review_id = ? order by decided_at').all(reviewId) as { subject_id: string; decision: string; decided_by: string; note: string | null }[];

/** `jitbot review …` on the harness's database, asynchronously: the bot in this process keeps answering while the CLI runs. */
const reviewCli = (h: Harness, args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    const env = { PATH: process.env['PATH'] ?? '', AUDIT_HMAC_KEY: TEST_AUDIT_KEY, ...h.databaseEnv };
    execFile(process.execPath, ['--import', 'tsx', CLI, 'review', ...args], { cwd: ROOT, env }, (error, stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });

/** Clicks keep/revoke on a posted review item and submits the note form it opens; returns the form's answer. */
async function decide(h: Harness, userId: string, action: 'keep' | 'revoke', blockId: string, subjectId: string, note: string) {
  const opened = h.slack.callsTo('views.open').length;
  await h.click(userId, action, subjectId, { blockId });
  const open = await eventually('the note form', () => h.slack.callsTo('views.open')[opened]);
  const view = open.args['view'] as { callback_id: string; private_metadata: string; submit: { text: string } };
  assert.equal(view.callback_id, 'review_decision');
  const body = viewSubmissionBody({ userId, callbackId: view.callback_id, privateMetadata: view.private_metadata, values: { note: { value: { type: 'plain_text_input', value: note } } } });
  const res = await signedPost(h.eventsUrl, SIGNING_SECRET, body, 'application/x-www-form-urlencoded');
  assert.equal(res.status, 200);
  return { submit: view.submit.text, answer: (await res.json()) as { response_action: string; errors?: Record<string, string>; view?: { blocks: SlackBlock[] } } };
}

describe('security reviews from Slack', () => {
  let h: Harness;
  let grantId: string;
  let exceptionId: string;
  let reviewId: string;
  let itemBlocks: Map<string, string>;

  before(async () => {
    h = await startHarness({ policyExtra: legacy, adminToken: ADMIN_TOKEN, settings: { review_schedule: 'off' } });
    // A 10 h grant (long-lived) for alice, and a standing opt-out exception for bob.
    const requestId = requestIdIn(await h.ask(USERS.alice, 'legacy 10h month-end close'));
    await h.click(USERS.lead, 'approve', requestId);
    grantId = (await eventually('the long grant', () => h.grantFor(requestId))).id;
    exceptionId = exceptionIdIn(await h.ask(USERS.bob, 'optout legacy 2d vendor migration'));
    await h.click(USERS.sec, 'approve', exceptionId);
    await eventually('the exception to open', async () => ((await h.bot.store.findException(exceptionId))?.status === 'open' ? true : undefined));
  });
  after(async () => {
    await h.close();
  });

  test('/request review from outside the security team is refused, audited, and stores nothing', async () => {
    const reply = await h.ask(USERS.lead, 'review');
    assert.match(reply, /Only the security team \(`settings.security_team` in the access policy\) may run a security review; nothing changed/);
    assert.equal(h.sqlite.prepare('select count(*) from reviews').pluck().get(), 0);
    assert.deepEqual(audit(h, 'new').map((e) => [e.action, e.actor, e.reason]), [['review.refused', USERS.lead, 'not_security']]);
  });

  test('the security team posts the review in the security channel, with Keep / Revoke on each long-lived item', async () => {
    const reply = await h.ask(USERS.sec, 'review');
    assert.match(reply, /Security review `rev-[0-9a-z]+` is posted in <#C0SECURITY>: 2 long-lived items to keep or revoke/);
    reviewId = /rev-[0-9a-z]+/.exec(reply)?.[0] ?? '';
    const post = await eventually('the review message', () => reviewPosts(h)[0]);
    const blocks = blocksOf(post);
    const actions = blocks.filter((b) => b.type === 'actions');
    itemBlocks = new Map(actions.map((b) => [b.elements?.[0]?.value ?? '', b.block_id ?? '']));
    assert.deepEqual([...itemBlocks.keys()].sort(), [exceptionId, grantId].sort());
    for (const block of actions) {
      assert.equal(block.block_id, `review:${reviewId}:${block.elements?.[0]?.value ?? ''}`);
      assert.deepEqual(block.elements?.map((e) => e.action_id), ['keep', 'revoke']);
    }
    assert.match(JSON.stringify(blocks), /\*Active grants\*\\n2/, 'the grant and the standing grant');
    const stored = h.sqlite.prepare('select trigger, created_by, channel, message_ts from reviews where id = ?').get(reviewId) as Record<string, string>;
    assert.deepEqual([stored['trigger'], stored['created_by'], stored['channel']], ['slack', USERS.sec, 'C0SECURITY']);
    assert.match(stored['message_ts'] ?? '', /^\d+\.\d+$/, 'where it was posted, so decisions can redraw it');
    assert.deepEqual(audit(h, reviewId).map((e) => [e.action, e.actor]), [['review.created', USERS.sec]]);
  });

  test('a keep from outside the security team is refused in the form and records nothing', async () => {
    const { answer } = await decide(h, USERS.lead, 'keep', itemBlocks.get(grantId) ?? '', grantId, 'looks fine to me');
    assert.equal(answer.response_action, 'errors');
    assert.match(answer.errors?.['note'] ?? '', /Only the security team/);
    assert.deepEqual(decisionsIn(h, reviewId), []);
    assert.equal(audit(h, grantId).at(-1)?.action, 'review.refused');
  });

  test('keep is recorded with its note and the review message shows it in place of the buttons', async () => {
    const { submit, answer } = await decide(h, USERS.sec, 'keep', itemBlocks.get(grantId) ?? '', grantId, 'month-end close runs until tonight');
    assert.equal(submit, 'Keep');
    assert.equal(answer.response_action, 'update');
    assert.match(JSON.stringify(answer.view?.blocks), /is kept/);
    assert.deepEqual(decisionsIn(h, reviewId), [{ subject_id: grantId, decision: 'keep', decided_by: USERS.sec, note: 'month-end close runs until tonight' }]);
    const event = audit(h, grantId).at(-1);
    assert.deepEqual([event?.action, event?.actor, event?.reason, JSON.parse(event?.details ?? '{}')], ['review.keep', USERS.sec, 'month-end close runs until tonight', { review_id: reviewId }]);
    assert.equal(h.grantById(grantId)?.status, 'active', 'kept access stays');
    const update = await h.slack.waitForCall('chat.update', (c) => c.args['channel'] === 'C0SECURITY' && String(c.args['text']).startsWith('Security review'));
    const blocks = blocksOf(update);
    assert.match(JSON.stringify(blocks), new RegExp(`✓ Kept by <@${USERS.sec}>.* — month-end close runs until tonight`));
    assert.deepEqual(blocks.filter((b) => b.type === 'actions').map((b) => b.elements?.[0]?.value), [exceptionId], 'only the undecided item keeps its buttons');
  });

  test('revoke is recorded and acts at once: the exception closes and its standing grant ends', async () => {
    const { submit, answer } = await decide(h, USERS.sec, 'revoke', itemBlocks.get(exceptionId) ?? '', exceptionId, 'migration finished');
    assert.equal(submit, 'Revoke now');
    assert.equal(answer.response_action, 'update');
    const exception = await h.bot.store.findException(exceptionId);
    assert.deepEqual([exception?.status, exception?.closeReason, exception?.closedBy], ['closed', 'revoked', USERS.sec]);
    const standing = h.sqlite.prepare('select id from grants where exception_id = ? and request_id is null').pluck().get(exceptionId) as string;
    await eventually('the standing grant to be revoked', () => (h.grantById(standing)?.status === 'revoked' ? true : undefined));
    assert.equal(h.grantById(standing)?.revoke_reason, 'exception_closed');
    assert.deepEqual(
      audit(h, exceptionId).slice(-2).map((e) => [e.action, e.actor, e.reason]),
      [
        ['review.revoke', USERS.sec, 'migration finished'],
        ['exception.closed', USERS.sec, 'revoked'],
      ],
    );
  });

  test('a second decision on a decided item is refused: the first one stands', async () => {
    const { answer } = await decide(h, USERS.sec, 'revoke', itemBlocks.get(grantId) ?? '', grantId, 'changed my mind');
    assert.equal(answer.response_action, 'errors');
    assert.match(answer.errors?.['note'] ?? '', /already decided in this review: keep by <@U0SEC1>/);
    assert.equal(h.grantById(grantId)?.status, 'active');
    assert.equal(decisionsIn(h, reviewId).length, 2);
  });

  test('a button that names no review, or a form with a forged item, changes nothing', async () => {
    const { responseName } = await h.click(USERS.sec, 'revoke', grantId, { blockId: 'decision' });
    assert.match(String((await h.slack.waitForResponse(responseName)).body['text']), /does not belong to a security review/);
    const forged = viewSubmissionBody({ userId: USERS.sec, callbackId: 'review_decision', privateMetadata: JSON.stringify({ reviewId, subjectId: 'grt-notinreview', decision: 'revoke' }), values: {} });
    const res = await signedPost(h.eventsUrl, SIGNING_SECRET, forged, 'application/x-www-form-urlencoded');
    assert.match(JSON.stringify(await res.json()), /grt-notinreview is not one of the long-lived items of review/);
    const garbled = viewSubmissionBody({ userId: USERS.sec, callbackId: 'review_decision', privateMetadata: '{not json', values: {} });
    assert.match(JSON.stringify(await (await signedPost(h.eventsUrl, SIGNING_SECRET, garbled, 'application/x-www-form-urlencoded')).json()), /does not name a review item/);
    assert.equal(decisionsIn(h, reviewId).length, 2);
  });

  test('jitbot review export gives the auditor the review with its decisions, as Markdown or CSV', async () => {
    const run = (args: string[]) => reviewCli(h, ['export', ...args]);
    const md = await run([reviewId]);
    assert.equal(md.status, 0, md.stderr);
    assert.match(md.stdout, new RegExp(`^# jitbot security review ${reviewId}\n\nRun by ${USERS.sec} in Slack at `));
    assert.match(md.stdout, new RegExp(`## Decisions\n.*\n.*\n(.*\n)*\\| ${grantId} \\| ${USERS.alice} \\| legacy \\| keep \\| ${USERS.sec} \\| .* \\| month-end close runs until tonight \\|`));
    assert.match(md.stdout, new RegExp(`\\| ${exceptionId} \\| ${USERS.bob} \\| legacy \\| revoke \\| ${USERS.sec} \\| .* \\| migration finished \\|`));

    const csv = await run([reviewId, '--format', 'csv']);
    assert.equal(csv.status, 0, csv.stderr);
    const lines = csv.stdout.trim().split('\n');
    assert.equal(lines[0], 'review_id,finding,subject_id,user_id,resource,since,until,approved_by,detail,decision,decided_by,decided_at,note');
    assert.ok(lines.some((l) => l.startsWith(`${reviewId},long_grant,${grantId},${USERS.alice},legacy,`) && l.includes(`,${USERS.lead},,keep,${USERS.sec},`) && l.endsWith(',month-end close runs until tonight')));
    assert.ok(lines.some((l) => l.startsWith(`${reviewId},open_exception,${exceptionId},${USERS.bob},legacy,`) && l.includes('standing: vendor migration') && l.endsWith(',migration finished')));

    const missing = await run(['rev-doesnotexist']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /there is no review rev-doesnotexist/);
    const [badFormat, noId] = await Promise.all([run([reviewId, '--format', 'pdf']), run([])]);
    assert.deepEqual([badFormat.status, noId.status], [2, 2]);
    assert.match(badFormat.stderr, /--format: expected md or csv/);
  });

  test('GET /api/reviews lists reviews with their report and decisions', async () => {
    const base = h.eventsUrl.replace('/slack/events', '');
    const res = await fetch(`${base}/api/reviews?by=${USERS.sec}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { items: Record<string, unknown>[]; next_cursor: string | null };
    assert.equal(body.items.length, 1);
    const [review] = body.items;
    assert.equal(review?.['id'], reviewId);
    assert.equal(review?.['trigger'], 'slack');
    assert.match(String(review?.['created_at']), /^\d{4}-\d\d-\d\dT/);
    const report = review?.['report'] as { long_lived: { long_grants: { id: string; granted_at: string }[] } };
    assert.equal(report.long_lived.long_grants[0]?.id, grantId);
    assert.match(report.long_lived.long_grants[0]?.granted_at ?? '', /^\d{4}-/);
    assert.deepEqual((review?.['decisions'] as { subject_id: string; decision: string }[]).map((d) => [d.subject_id, d.decision]), [
      [grantId, 'keep'],
      [exceptionId, 'revoke'],
    ]);
    const none = (await (await fetch(`${base}/api/reviews?by=jitbot`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { items: unknown[] };
    assert.deepEqual(none.items, []);
    assert.equal((await fetch(`${base}/api/reviews?days=3`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 400);
  });
});

describe('the review lists the access it counts', () => {
  let h: Harness;
  let longGrant: string;
  let shortGrant: string;
  let reviewId: string;
  /** Grants made straight in the store, ending after the short one: more than the message can carry. */
  const SEEDED = 22;

  before(async () => {
    h = await startHarness({ policyExtra: legacy, settings: { review_schedule: 'off' } });
    const longRequest = requestIdIn(await h.ask(USERS.alice, 'legacy 10h month-end close'));
    await h.click(USERS.lead, 'approve', longRequest);
    longGrant = (await eventually('the long grant', () => h.grantFor(longRequest))).id;
    const shortRequest = requestIdIn(await h.ask(USERS.alice, 'staging 20m checking the deploy'));
    await h.click(USERS.sec, 'approve', shortRequest);
    shortGrant = (await eventually('the short grant', () => h.grantFor(shortRequest))).id;
    const now = Date.now();
    for (let i = 0; i < SEEDED; i += 1) {
      const request = await h.bot.store.createRequest({ id: `req-seed${i}`, requesterId: USERS.bob, resource: 'legacy', durationMs: 3_600_000, reason: `seeded ${i}`, policyVersion: 'v1', createdAt: now });
      await h.bot.store.approve({
                requestId: request.id, approverId: USERS.lead, at: now, stages: [{ approvers: [USERS.lead], approvalsRequired: 1 }], approverStages: new Set([0]), selfApproval: false, maxExtensions: 2,
                newGrant: (r) => ({ id: `grt-seed${String(i).padStart(2, '0')}`, requestId: r.id, userId: r.requesterId, resource: r.resource, reason: r.reason, grantedAt: now, expiresAt: now + 3_600_000 + i * 60_000 }),
              });
    }
  });
  after(async () => {
    await h.close();
  });

  test('/request review lists every active grant: who, resource, since, until, approved by and reason, with Keep / Revoke on the first 20', async () => {
    const reply = await h.ask(USERS.sec, 'review');
    assert.match(reply, new RegExp(`: 1 long-lived item to keep or revoke, then ${SEEDED + 1} other active grants`));
    reviewId = /rev-[0-9a-z]+/.exec(reply)?.[0] ?? '';
    const post = await eventually('the review message', () => reviewPosts(h)[0]);
    const blocks = blocksOf(post);
    assert.ok(blocks.length <= 50, `Slack takes 50 blocks a message; the review has ${blocks.length}`);
    const actions = blocks.filter((b) => b.type === 'actions');
    assert.deepEqual(
      actions.map((b) => b.elements?.[0]?.value),
      [longGrant, shortGrant, ...Array.from({ length: 18 }, (_, i) => `grt-seed${String(i).padStart(2, '0')}`)],
      'the long-lived item first, then the grants that end soonest',
    );
    const row = h.sqlite.prepare('select granted_at, expires_at from grants where id = ?').get(shortGrant) as { granted_at: number; expires_at: number };
    const line = blocks[blocks.findIndex((b) => b.type === 'actions' && b.elements?.[0]?.value === shortGrant) - 1]?.text?.text ?? '';
    assert.match(line, new RegExp(`<@${USERS.alice}> on \\*staging\\*: grant \`${shortGrant}\` for 20 min`));
    assert.match(line, new RegExp(`since <!date\\^${Math.floor(row.granted_at / 1000)}\\^[^>]+> until <!date\\^${Math.floor(row.expires_at / 1000)}\\^[^>]+> · approved by <@${USERS.sec}>`));
    assert.match(line, /checking the deploy/);
    assert.match(JSON.stringify(blocks), new RegExp(`4 more items are not shown here. \`jitbot review export ${reviewId}\` lists all of them`));
  });

  test('an active grant that is not long-lived can be kept too, and the redrawn message still fits Slack', async () => {
    const blockId = `review:${reviewId}:${shortGrant}`;
    const { answer } = await decide(h, USERS.sec, 'keep', blockId, shortGrant, 'deploy check, ends soon anyway');
    assert.equal(answer.response_action, 'update');
    assert.deepEqual(decisionsIn(h, reviewId), [{ subject_id: shortGrant, decision: 'keep', decided_by: USERS.sec, note: 'deploy check, ends soon anyway' }]);
    const update = await h.slack.waitForCall('chat.update', (c) => c.args['channel'] === 'C0SECURITY' && String(c.args['text']).startsWith('Security review'));
    assert.ok(blocksOf(update).length <= 50);
    assert.match(JSON.stringify(blocksOf(update)), new RegExp(`✓ Kept by <@${USERS.sec}>.* — deploy check, ends soon anyway`));
  });

  test('jitbot review and review export list the same access, all of it, in the same order', async () => {
    const listed = (markdown: string) => {
      const section = /## Access to review \((\d+)\)\n[^\n]*\n\n\| item \| what \| who \| resource \| since \| until \| approved by \| reason \|\n[^\n]*\n((?:\|.*\n)*)/.exec(markdown);
      assert.ok(section, markdown);
      return { count: Number(section[1]), rows: (section[2] ?? '').trim().split('\n').map((r) => r.split(' | ').map((c) => c.replace(/^\| |\s\|$/g, ''))) };
    };
    const [exported, fresh] = await Promise.all([reviewCli(h, ['export', reviewId]), reviewCli(h, [])]);
    assert.equal(exported.status, 0, exported.stderr);
    assert.equal(fresh.status, 0, fresh.stderr);
    for (const markdown of [exported.stdout, fresh.stdout]) {
      const { count, rows } = listed(markdown);
      assert.equal(count, SEEDED + 2);
      assert.deepEqual(rows.map((r) => r[0]), [longGrant, shortGrant, ...Array.from({ length: SEEDED }, (_, i) => `grt-seed${String(i).padStart(2, '0')}`)]);
      assert.deepEqual(rows[1]?.slice(1, 4), ['grant', USERS.alice, 'staging']);
      assert.deepEqual(rows[1]?.slice(6), [USERS.sec, 'checking the deploy']);
      assert.deepEqual(rows[0]?.slice(1, 2), ['grant, long-lived']);
      assert.match(rows[1]?.[4] ?? '', /^\d{4}-\d\d-\d\dT/);
    }
    assert.match(exported.stdout, new RegExp(`\\| ${shortGrant} \\| ${USERS.alice} \\| staging \\| keep \\| ${USERS.sec} \\| .* \\| deploy check, ends soon anyway \\|`));
  });
});

describe('the review schedule', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ settings: { review_schedule: 'daily', timezone: 'Europe/Paris' } });
  });
  after(async () => {
    await h.close();
  });

  test('review_schedule is a BullMQ job scheduler; when it fires, a review is stored and posted', async () => {
    const queue = h.bot.reviewSchedule?.queue;
    assert.ok(queue, 'the worker role runs the schedule');
    const scheduler = await queue.getJobScheduler('security-review');
    assert.deepEqual([scheduler?.pattern, scheduler?.tz], ['0 9 * * *', 'Europe/Paris']);
    const [next] = await queue.getDelayed();
    assert.ok(next, 'the next run waits as a delayed job');
    h.clock.advance((next.opts.prevMillis ?? 0) - h.clock.now().toMillis()); // its slot: promoted before it, a run only waits again
    await next.promote();
    const post = await eventually('the scheduled review in the security channel', () => reviewPosts(h)[0], 10_000);
    assert.match(String(post.args['text']), /Security review rev-[0-9a-z]+: 0 active grants/);
    const stored = h.sqlite.prepare("select trigger, created_by, until - since as span from reviews").get() as { trigger: string; created_by: string; span: number };
    assert.deepEqual(stored, { trigger: 'schedule', created_by: 'jitbot', span: 86_400_000 });
    assert.ok(await eventually('the next run to be queued', async () => ((await queue.getDelayed()).length === 1 ? true : undefined)));
  });

  test('restarting with review_schedule off removes the scheduler', async () => {
    await h.restart({});
    assert.equal((await h.bot.reviewSchedule?.queue.getJobSchedulers())?.length, 1, 'starting again schedules it once, not twice');
    await h.restart({ settings: { review_schedule: 'off' } });
    assert.deepEqual(await h.bot.reviewSchedule?.queue.getJobSchedulers(), []);
    assert.deepEqual(await h.bot.reviewSchedule?.queue.getDelayed(), []);
  });
});
