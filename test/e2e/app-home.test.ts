import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { exceptionIdIn, eventually, requestIdIn, startHarness, USERS, type Harness } from '../support/harness.js';

interface Block {
  type: string;
  text?: { text: string };
  accessory?: { action_id?: string; value?: string };
  elements?: { action_id?: string; value?: string; confirm?: unknown }[];
}

/** Every App Home drawn for the user so far, oldest first, as its blocks. */
function homesOf(h: Harness, userId: string): Block[][] {
  return h.slack
    .callsTo('views.publish')
    .filter((c) => c.args['user_id'] === userId)
    .map((c) => ((c.args['view'] as { blocks: Block[] }).blocks));
}

const textOf = (blocks: Block[]) => blocks.map((b) => b.text?.text ?? '').join('\n');
const buttonsOf = (blocks: Block[]) =>
  blocks.flatMap((b) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]).flatMap((e) => (e.action_id ? [[e.action_id, e.value ?? '']] : []));

/** Waits until the user's latest App Home satisfies `check`. */
async function homeWhere(h: Harness, userId: string, what: string, check: (blocks: Block[]) => boolean): Promise<Block[]> {
  return eventually(`${userId}'s App Home ${what}`, () => {
    const latest = homesOf(h, userId).at(-1);
    return latest && check(latest) ? latest : undefined;
  });
}

const requestStatus = async (h: Harness, id: string) => (await h.bot.store.findRequest(id))?.status;

describe('App Home', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      policyExtra: (url) => `
  legacy-erp:
    channel: C0ERP
    approvers: [db-leads]
    max_duration: 1h
    opt_out: { allowed: true, approvers: [db-leads], max_duration: 1d, mode: auto_approve }
    provisioner: { type: webhook, url: ${url}, secret_env: PROD_DB_WEBHOOK_SECRET, timeout: 2s }
  release-train:
    channel: C0TRAIN
    max_duration: 1h
    stages:
      - { approvers: [db-leads], approvals_required: 1 }
      - { approvers: [security], approvals_required: 1 }
    provisioner: { type: webhook, url: ${url}, secret_env: PROD_DB_WEBHOOK_SECRET, timeout: 2s }
`,
    });
    for (const user of [USERS.alice, USERS.lead, USERS.bob, USERS.sec]) {
      assert.equal((await h.openHome(user)).status, 200);
      await homeWhere(h, user, 'drawn', (blocks) => textOf(blocks) !== '' || blocks.length > 0);
    }
  });
  after(async () => {
    await h.close();
  });

  test('a new request appears in the requester\'s home with Cancel and in the approver\'s queue with Approve / Deny; others are not redrawn', async () => {
    const bobBefore = homesOf(h, USERS.bob).length;
    const requestId = requestIdIn(await h.ask(USERS.alice, 'prod-db 30m home queue INC-70'));

    const mine = await homeWhere(h, USERS.alice, 'listing the request', (b) => textOf(b).includes(requestId));
    assert.match(textOf(mine), /Waiting for approval/);
    assert.deepEqual(buttonsOf(mine), [['cancel', requestId]]);

    const queue = await homeWhere(h, USERS.lead, 'queueing the request', (b) => textOf(b).includes(requestId));
    assert.match(textOf(queue.filter((b) => b.type === 'section')), /<@U0ALICE> asks for \*prod-db\* for 30 min — Production PostgreSQL/);
    assert.ok(queue.some((b) => b.type === 'header' && /Waiting on you \(1\)/.test(JSON.stringify(b))));
    assert.deepEqual(buttonsOf(queue), [['approve', requestId], ['deny', requestId]]);

    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.equal(homesOf(h, USERS.bob).length, bobBefore, 'bob is neither the requester nor an approver: his home is not redrawn');
    assert.ok(!textOf(homesOf(h, USERS.bob).at(-1) ?? []).includes(requestId));

    // Cancel in the home withdraws it, like `/request cancel`: status, approval message, both homes.
    await h.clickInHome(USERS.alice, 'cancel', requestId);
    await eventually('cancelled', async () => ((await requestStatus(h, requestId)) === 'cancelled' ? true : undefined));
    await h.slack.waitForCall('chat.update', (c) => JSON.stringify(c.args).includes(requestId) && /Cancelled/.test(JSON.stringify(c.args)));
    await homeWhere(h, USERS.lead, 'without the cancelled request', (b) => !textOf(b).includes(requestId));
    await homeWhere(h, USERS.alice, 'without the cancelled request', (b) => !JSON.stringify(buttonsOf(b)).includes(requestId));
  });

  test('Approve in the approver\'s home works like the channel button; the requester\'s home then shows the access with Extend / Release and time left', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'prod-db 45m approve from home INC-71'));
    await homeWhere(h, USERS.lead, 'queueing the request', (b) => textOf(b).includes(requestId));

    const { status } = await h.clickInHome(USERS.lead, 'approve', requestId);
    assert.equal(status, 200);
    const grant = await eventually('the grant, provisioned', () => (h.grantFor(requestId)?.provisioned_at ? h.grantFor(requestId) : undefined));
    await h.slack.waitForCall('chat.update', (c) => JSON.stringify(c.args).includes(requestId) && /Approved/.test(JSON.stringify(c.args)));
    await homeWhere(h, USERS.lead, 'with the queue empty', (b) => !textOf(b).includes(requestId) && !JSON.stringify(b).includes('Waiting on you'));

    const mine = await homeWhere(h, USERS.alice, 'showing the active grant', (b) => buttonsOf(b).some(([action, value]) => action === 'release' && value === grant.id));
    assert.deepEqual(buttonsOf(mine).filter(([, value]) => value === grant.id), [['extend', grant.id], ['release', grant.id]]);
    assert.match(textOf(mine), /\*prod-db\* until <!date\^\d+\^\{date_short_pretty\} at \{time\}\|[^>]+> · 45 min left/);

    // Extend in the home opens the same form as on the warning DM.
    const { triggerId } = await h.clickInHome(USERS.alice, 'extend', grant.id);
    const form = await h.slack.waitForCall('views.open', (c) => c.args['trigger_id'] === triggerId);
    assert.equal((form.args['view'] as { private_metadata: string }).private_metadata, grant.id);

    // Release in the home ends it, and the home says so.
    await h.clickInHome(USERS.alice, 'release', grant.id);
    await eventually('released', () => (h.grantById(grant.id)?.status === 'revoked' ? true : undefined));
    assert.equal(h.grantById(grant.id)?.revoke_reason, 'released');
    await homeWhere(h, USERS.alice, 'without the released grant', (b) => !JSON.stringify(b).includes(grant.id));
    assert.ok(homesOf(h, USERS.alice).some((b) => /Ending \*prod-db\*/.test(textOf(b))), 'the click was answered in the home');
  });

  test('a refused click in the home is answered at the top of the home, and changes nothing', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'prod-db 30m refused clicks INC-72'));
    const drawn = homesOf(h, USERS.alice).length;
    await h.clickInHome(USERS.alice, 'approve', requestId);
    await homeWhere(h, USERS.alice, 'with the refusal', (b) => /You cannot approve your own request/.test(textOf(b.slice(0, 1))));
    assert.ok(homesOf(h, USERS.alice).length > drawn);

    await h.clickInHome(USERS.bob, 'deny', requestId);
    await homeWhere(h, USERS.bob, 'with the refusal', (b) => /not an approver/.test(textOf(b.slice(0, 1))));
    await h.clickInHome(USERS.bob, 'cancel', requestId);
    await homeWhere(h, USERS.bob, 'with the refusal', (b) => new RegExp(requestId).test(textOf(b.slice(0, 1))) && !/Cancelled/.test(textOf(b.slice(0, 1))));
    assert.equal(await requestStatus(h, requestId), 'pending');

    await h.clickInHome(USERS.lead, 'deny', requestId);
    await eventually('denied', async () => ((await requestStatus(h, requestId)) === 'denied' ? true : undefined));
    await homeWhere(h, USERS.alice, 'without the denied request', (b) => !textOf(b).includes(requestId));
  });

  test('a request moves from the first stage\'s queue to the next stage\'s when the first stage approves', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'release-train 30m cut the release'));
    const first = await homeWhere(h, USERS.lead, 'queueing the request at stage 1', (b) => textOf(b).includes(requestId));
    assert.match(textOf(first), /stage 1 of 2/);
    assert.ok(!textOf(homesOf(h, USERS.sec).at(-1) ?? []).includes(requestId), 'security is not asked before stage 1 is done');

    await h.clickInHome(USERS.lead, 'approve', requestId);
    const second = await homeWhere(h, USERS.sec, 'queueing the request at stage 2', (b) => textOf(b).includes(requestId));
    assert.match(textOf(second), /stage 2 of 2/);
    await homeWhere(h, USERS.lead, 'without the request', (b) => !textOf(b).includes(requestId));
    assert.equal(await requestStatus(h, requestId), 'pending');

    await h.clickInHome(USERS.sec, 'approve', requestId);
    await eventually('the grant', () => h.grantFor(requestId));
    await homeWhere(h, USERS.sec, 'without the request', (b) => !textOf(b).includes(requestId));
  });

  test('Slack answering 429 to views.publish is waited out; an error is logged and the next change draws again', async () => {
    const alicePublishes = () => homesOf(h, USERS.alice).length;
    h.slack.failNext('views.publish', { status: 429, retryAfter: 1 }, 1, (args) => args['user_id'] === USERS.alice);
    const first = requestIdIn(await h.ask(USERS.alice, 'prod-db 30m rate limited home INC-73'));
    // The fake records every call: the one answered 429, then the client's retry a second later.
    await eventually('the publish answered 429, then its retry', () => (homesOf(h, USERS.alice).filter((b) => textOf(b).includes(first)).length >= 2 ? true : undefined), 8_000);

    const beforeError = alicePublishes();
    h.slack.failNext('views.publish', { error: 'internal_error' }, 1, (args) => args['user_id'] === USERS.alice);
    await h.ask(USERS.alice, `cancel ${first}`);
    await eventually('the refused publish', () => (alicePublishes() > beforeError ? true : undefined));
    assert.equal(await requestStatus(h, first), 'cancelled', 'a home Slack refused to draw changes nothing');
    const second = requestIdIn(await h.ask(USERS.alice, 'prod-db 30m after the error INC-74'));
    await homeWhere(h, USERS.alice, 'drawn again', (b) => textOf(b).includes(second) && !textOf(b).includes(first));
    await h.ask(USERS.alice, `cancel ${second}`);
  });

  test('an opt-out exception waits in its approvers\' homes, is approved there, and shows in the holder\'s home', async () => {
    const reply = await h.ask(USERS.alice, 'optout legacy-erp 1d nightly batch debugging');
    const exceptionId = exceptionIdIn(reply);
    const queue = await homeWhere(h, USERS.lead, 'queueing the exception', (b) => textOf(b).includes(exceptionId));
    assert.deepEqual(buttonsOf(queue).filter(([, value]) => value === exceptionId), [['approve', exceptionId], ['deny', exceptionId]]);

    await h.clickInHome(USERS.lead, 'approve', exceptionId);
    await eventually('the exception open', async () => ((await h.bot.store.findException(exceptionId))?.status === 'open' ? true : undefined));
    await homeWhere(h, USERS.lead, 'without the exception', (b) => !textOf(b).includes(exceptionId));
    const mine = await homeWhere(h, USERS.alice, 'showing the open exception', (b) => textOf(b).includes(exceptionId) && /open until/.test(textOf(b)));
    assert.match(textOf(mine), /Opt-out exceptions|legacy-erp/);
  });
});
