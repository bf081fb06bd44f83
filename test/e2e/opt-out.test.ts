import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { dropPrefix } from '../support/redis-prefix.js';
import { SIGNING_SECRET, USERS, eventually, exceptionIdIn, requestIdIn, startHarness, type Harness } from '../support/harness.js';
import { signedPost, viewSubmissionBody } from '../support/slack-requests.js';

/** wiki: auto_approve for engineers; vpn: standing, anyone may ask; kiosk: opt-out not allowed. */
const optOutResources = (webhookUrl: string) => `
  wiki:
    description: Wiki admin
    channel: C0WIKI
    approvers: [db-leads]
    max_duration: 1h
    opt_out:
      allowed: true
      eligible: [engineers]
      approvers: [security]
      max_duration: 1d
      mode: auto_approve
    provisioner: { type: webhook, url: ${webhookUrl}, secret_env: PROD_DB_WEBHOOK_SECRET, timeout: 2s }
  vpn:
    channel: C0VPN
    approvers: [db-leads]
    max_duration: 1h
    opt_out: { allowed: true, approvers: [security], max_duration: 1d, mode: standing }
    provisioner: { type: webhook, url: ${webhookUrl}, secret_env: PROD_DB_WEBHOOK_SECRET, timeout: 2s }
  kiosk:
    channel: C0KIOSK
    approvers: [db-leads]
    max_duration: 1h
    opt_out: { allowed: false, max_duration: 1d }
`;

interface ExceptionState {
  id: string;
  user_id: string;
  resource: string;
  mode: string;
  status: string;
  reason: string;
  decided_by: string | null;
  opens_at: number | null;
  ends_at: number | null;
  warned_at: number | null;
  close_reason: string | null;
  closed_at: number | null;
  closed_by: string | null;
}

interface GrantState {
  id: string;
  request_id: string | null;
  exception_id: string | null;
  status: string;
  revoke_reason: string | null;
  expires_at: number;
}

type Block = { type: string; elements?: { action_id?: string; value?: string }[] };

const exceptionRow = (h: Harness, id: string) => h.sqlite.prepare('select * from exceptions where id = ?').get(id) as ExceptionState | undefined;
const grantsOf = (h: Harness, exceptionId: string) => h.sqlite.prepare('select * from grants where exception_id = ? order by granted_at').all(exceptionId) as GrantState[];
const count = (h: Harness, table: 'requests' | 'grants' | 'exceptions' | 'audit_events') => h.sqlite.prepare(`select count(*) from ${table}`).pluck().get() as number;
const audit = (h: Harness, subjectId: string) =>
  (h.sqlite.prepare('select action, actor, reason from audit_events where subject_id = ? order by seq').all(subjectId) as { action: string; actor: string; reason: string | null }[]);
const textOf = (call: { args: Record<string, unknown> }) => `${String(call.args['text'] ?? '')} ${JSON.stringify(call.args['blocks'] ?? [])}`;
const buttonsIn = (call: { args: Record<string, unknown> }) =>
  ((call.args['blocks'] ?? []) as Block[]).flatMap((b) => b.elements ?? []).filter((e) => e.action_id !== undefined);
const dmsTo = (h: Harness, userId: string, pattern: RegExp) => h.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === userId && pattern.test(String(c.args['text'])));

async function clickReply(h: Harness, userId: string, actionId: string, value: string): Promise<string> {
  const { responseName } = await h.click(userId, actionId, value);
  return String((await h.slack.waitForResponse(responseName)).body['text'] ?? '');
}

/** Asks for an exception and has security approve it; returns the open exception. */
async function openException(h: Harness, userId: string, text: string): Promise<ExceptionState> {
  const id = exceptionIdIn(await h.ask(userId, `optout ${text}`));
  await h.click(USERS.sec, 'approve', id);
  return eventually('exception open', () => {
    const row = exceptionRow(h, id);
    return row?.status === 'open' ? row : undefined;
  });
}

describe('opt-out exceptions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ policyExtra: optOutResources, settings: { expiry_warning: '2s' } });
  });
  after(async () => {
    await h.close();
  });

  describe('asking is refused with a clear reply, and nothing but an audit event is written', () => {
    const cases: [string, string, string, RegExp][] = [
      ['a resource without opt_out', USERS.alice, 'optout prod-db 1d incident INC-1', /prod-db does not allow opt-out exceptions.*\/request prod-db &lt;duration&gt; &lt;reason&gt;/],
      ['opt_out with allowed: false', USERS.alice, 'optout kiosk 1d broken badge reader', /kiosk does not allow opt-out exceptions/],
      ['someone not eligible', USERS.outsider, 'optout wiki 1d migration week', /not eligible for opt-out exceptions on wiki/],
      ['a window over max_duration', USERS.alice, 'optout wiki 2d migration week', /longer than an opt-out exception for wiki allows: at most 1 d\. Ask for 1d or less/],
      ['a missing reason', USERS.alice, 'optout wiki 1d', /say why you need an exception: `\/request optout wiki 1d &lt;reason&gt;`/],
      ['a missing duration', USERS.alice, 'optout wiki migration week', /Say how long the exception should last \(at most 1 d\)/],
      ['a negative duration', USERS.alice, 'optout wiki -1h oops', /is negative/],
      ['an unknown resource', USERS.alice, 'optout nope 1h why', /no resource called "nope"/],
    ];
    for (const [what, userId, text, expected] of cases) {
      test(what, async () => {
        const before = { requests: count(h, 'requests'), grants: count(h, 'grants'), exceptions: count(h, 'exceptions'), audit: count(h, 'audit_events') };
        const reply = await h.ask(userId, text);
        assert.match(reply, expected);
        assert.equal(count(h, 'exceptions'), before.exceptions);
        assert.equal(count(h, 'requests'), before.requests);
        assert.equal(count(h, 'grants'), before.grants);
        assert.equal(count(h, 'audit_events'), before.audit + 1, 'one audit event records the refused attempt');
        const last = h.sqlite.prepare('select action, actor, subject_type from audit_events order by seq desc limit 1').get();
        assert.deepEqual({ ...(last as object) }, { action: 'exception.refused', actor: userId, subject_type: 'user' });
      });
    }
  });

  test('the request is posted to security as an exception from JIT, the resource channel is told, and only opt-out approvers decide', async () => {
    const reply = await h.ask(USERS.alice, 'optout wiki 1d migration week INC-77');
    assert.match(reply, /Asked for an exception from JIT on \*wiki\* for 1 d/);
    const id = exceptionIdIn(reply);
    assert.equal(exceptionRow(h, id)?.status, 'pending');
    assert.equal(exceptionRow(h, id)?.opens_at, null, 'the window starts at approval, not at asking');

    const posted = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && textOf(c).includes(id));
    assert.match(textOf(posted), /Exception from JIT/);
    assert.match(textOf(posted), /<@U0ALICE>/);
    assert.match(textOf(posted), /\*wiki\*/);
    assert.match(textOf(posted), /1 d/);
    assert.match(textOf(posted), /migration week INC-77/);
    assert.deepEqual(buttonsIn(posted).map((b) => [b.action_id, b.value]), [['approve', id], ['deny', id]]);
    const note = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0WIKI' && textOf(c).includes(id));
    assert.match(textOf(note), /exception from JIT/);
    assert.deepEqual(buttonsIn(note), [], 'the resource channel note is informational');

    assert.match(await h.ask(USERS.alice, 'optout wiki 1h again'), /already have an exception for wiki .* waiting for approval/);

    // The resource's own approvers are not opt-out approvers unless listed; nor is anyone else.
    assert.match(await clickReply(h, USERS.lead, 'approve', id), /Only the opt-out approvers of wiki/);
    assert.match(await clickReply(h, USERS.bob, 'deny', id), /Only the opt-out approvers of wiki/);
    assert.equal(exceptionRow(h, id)?.status, 'pending');
    assert.deepEqual(
      audit(h, id).filter((e) => e.action === 'decision.refused').map((e) => [e.actor, e.reason]),
      [[USERS.lead, 'not_an_approver'], [USERS.bob, 'not_an_approver']],
    );

    await h.click(USERS.sec, 'approve', id);
    const open = await eventually('open', () => (exceptionRow(h, id)?.status === 'open' ? exceptionRow(h, id) : undefined));
    assert.equal(open.decided_by, USERS.sec);
    assert.equal((open.ends_at ?? 0) - (open.opens_at ?? 0), 86_400_000);
    const update = await h.slack.waitForCall('chat.update', (c) => textOf(c).includes(id));
    assert.deepEqual(buttonsIn(update), [], 'buttons are gone once decided');
    assert.match(textOf(update), /Approved by <@U0SEC1>/);
    const dm = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /approved your opt-out exception for \*wiki\*/.test(String(c.args['text'])));
    assert.match(String(dm.args['text']), /open until <!date\^\d+\^/);
    assert.match(await clickReply(h, USERS.sec, 'deny', id), /already approved by <@U0SEC1>/);

    const list = await h.ask(USERS.alice, 'list');
    assert.match(list, /\*Opt-out exceptions\*/);
    assert.match(list, new RegExp(`\\*wiki\\* open until <!date\\^\\d+\\^[^|]*\\|[^>]*(CET|CEST|GMT\\+1)> — \`${id}\``), 'the end is shown in Alice’s own time zone');

    assert.deepEqual(
      audit(h, id).map((e) => e.action),
      ['exception.requested', 'decision.refused', 'decision.refused', 'exception.opened'],
    );
  });

  test('an exception cannot be approved by the person it is for, and a denial is told by DM', async () => {
    const own = exceptionIdIn(await h.ask(USERS.sec, 'optout vpn 1h my own laptop'));
    assert.match(await clickReply(h, USERS.sec, 'approve', own), /cannot approve your own exception/);
    assert.equal(exceptionRow(h, own)?.status, 'pending');

    const bobs = exceptionIdIn(await h.ask(USERS.bob, 'optout wiki 1d bulk edits'));
    await h.click(USERS.sec, 'deny', bobs);
    await eventually('denied', () => (exceptionRow(h, bobs)?.status === 'denied' ? true : undefined));
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.bob && /denied your opt-out exception for \*wiki\*/.test(String(c.args['text'])));
    assert.deepEqual(audit(h, bobs).map((e) => e.action), ['exception.requested', 'exception.denied']);
  });

  test('auto_approve grants that person’s requests for that resource at once, only while open; its grants keep their own expiry', async () => {
    const exception = await openException(h, USERS.lead, 'wiki 4s reorganising spaces');
    const reply = await h.ask(USERS.lead, 'wiki 30m tidy page tree');
    assert.match(reply, new RegExp(`Granted \\*wiki\\* for 30 min without approval, under your opt-out exception \`${exception.id}\``));
    const requestId = requestIdIn(reply);
    const [grant] = grantsOf(h, exception.id);
    assert.ok(grant);
    assert.equal(grant.request_id, requestId);
    assert.deepEqual({ ...(h.sqlite.prepare('select status, decided_by from requests where id = ?').get(requestId) as object) }, { status: 'approved', decided_by: 'jitbot' });

    const note = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0WIKI' && textOf(c).includes(requestId));
    assert.match(textOf(note), new RegExp(`without approval, under opt-out exception \`${exception.id}\``));
    assert.deepEqual(buttonsIn(note), [], 'no Approve/Deny for a request granted under an exception');
    const delivery = await eventually('grant delivered', () => h.webhook.deliveries.find((d) => d.body.grant_id === grant.id && d.body.type === 'access.grant'));
    assert.equal(delivery.body.exception_id, exception.id);
    assert.equal(delivery.body.request_id, requestId);
    assert.deepEqual(audit(h, requestId).map((e) => [e.action, e.actor]), [['request.created', USERS.lead], ['request.approved', 'jitbot']]);

    // Someone else, or another resource, still goes through approval.
    const bobs = requestIdIn(await h.ask(USERS.bob, 'wiki 30m tidy too'));
    const forBob = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0WIKI' && textOf(c).includes(bobs));
    assert.deepEqual(buttonsIn(forBob).map((b) => b.action_id), ['approve', 'deny']);
    const otherResource = requestIdIn(await h.ask(USERS.lead, 'prod-db 30m check INC-9'));
    assert.equal(h.grantFor(otherResource), undefined);

    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.lead && /exception for \*wiki\* .* closes/.test(String(c.args['text'])), 5_000);
    await eventually('closed at its end', () => (exceptionRow(h, exception.id)?.status === 'closed' ? true : undefined), 8_000);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.lead && /exception for \*wiki\* has closed; requests need approval again/.test(String(c.args['text'])));
    assert.equal(h.grantById(grant.id)?.status, 'active', 'a grant made under the exception keeps its own expiry');

    const after = requestIdIn(await h.ask(USERS.lead, 'wiki 30m one more thing'));
    assert.equal(h.grantFor(after), undefined, 'once closed, requests need approval again');
    const pending = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0WIKI' && textOf(c).includes(after));
    assert.deepEqual(buttonsIn(pending).map((b) => b.action_id), ['approve', 'deny']);
  });

  test('standing mode grants for the whole window and revokes at close with exception_closed; the reminder and closing DMs come once', async () => {
    const exception = await openException(h, USERS.bob, 'vpn 4s legacy vpn cannot do per-request');
    const [grant] = grantsOf(h, exception.id);
    assert.ok(grant);
    assert.equal(grant.request_id, null);
    assert.equal(grant.expires_at, exception.ends_at);
    const granted = await eventually('standing grant delivered', () => h.webhook.deliveries.find((d) => d.body.grant_id === grant.id && d.body.type === 'access.grant'));
    assert.equal(granted.body.request_id, null);
    assert.equal(granted.body.exception_id, exception.id);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.bob && /approved your opt-out exception for \*vpn\*.*whole window/.test(String(c.args['text'])));

    const revoked = await eventually('standing access revoked', () => h.webhook.deliveries.find((d) => d.body.grant_id === grant.id && d.body.type === 'access.revoke'), 8_000);
    assert.equal(revoked.body.revoke_reason, 'exception_closed');
    const closed = exceptionRow(h, exception.id);
    assert.equal(closed?.status, 'closed');
    assert.equal(closed?.close_reason, 'expired');
    assert.ok((closed?.closed_at ?? 0) - (closed?.ends_at ?? 0) < 1_000, 'closed by its delayed job, on time');
    await eventually('grant revoked', () => (h.grantById(grant.id)?.status === 'revoked' ? true : undefined));
    assert.equal(h.grantById(grant.id)?.revoke_reason, 'exception_closed');
    const note = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && /has closed: its window ended/.test(String(c.args['text'])) && textOf(c).includes(exception.id));
    assert.ok(note.args['thread_ts'], 'the closing note is threaded under the approval message');

    // Closing is exactly once: a late timer, the sweep, or a second close change nothing.
    const again = await Promise.all([1, 2, 3].map(() => h.bot.services.exceptionLifecycle.close(exception.id, 'expired', 'jitbot')));
    assert.deepEqual(again.map((o) => o.kind), ['skipped', 'skipped', 'skipped']);
    await sleep(300);
    assert.equal(dmsTo(h, USERS.bob, /exception for \*vpn\* has closed/).length, 1);
    assert.equal(dmsTo(h, USERS.bob, /exception for \*vpn\* .* closes/).length, 1);
    assert.deepEqual(
      audit(h, exception.id).map((e) => e.action),
      ['exception.requested', 'exception.opened', 'exception.closing_soon', 'exception.closed'],
    );
  });

  test('revoke <exception-id> by an opt-out approver closes it early and revokes its standing access; others are refused', async () => {
    const exception = await openException(h, USERS.alice, 'vpn 1d legacy vpn week');
    const [grant] = grantsOf(h, exception.id);
    assert.ok(grant);
    await eventually('provisioned', () => h.webhook.deliveries.find((d) => d.body.grant_id === grant.id));

    assert.match(await h.ask(USERS.lead, `revoke ${exception.id}`), /Only the opt-out approvers of vpn/);
    assert.equal(exceptionRow(h, exception.id)?.status, 'open');
    assert.deepEqual(audit(h, exception.id).at(-1), { action: 'revoke.refused', actor: USERS.lead, reason: 'not_an_approver' });

    assert.match(await h.ask(USERS.sec, `revoke ${exception.id.toUpperCase()}`), /Closed <@U0ALICE>'s exception for \*vpn\*/);
    const closed = exceptionRow(h, exception.id);
    assert.equal(closed?.status, 'closed');
    assert.equal(closed?.close_reason, 'revoked');
    assert.equal(closed?.closed_by, USERS.sec);
    const revoke = await eventually('standing access revoked', () => h.webhook.deliveries.find((d) => d.body.grant_id === grant.id && d.body.type === 'access.revoke'));
    assert.equal(revoke.body.revoke_reason, 'exception_closed');
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.alice && /exception for \*vpn\* has closed \(ended early by <@U0SEC1>\)/.test(String(c.args['text'])));
    assert.match(await h.ask(USERS.sec, `revoke ${exception.id}`), /no open exception/);
  });

  test('an exception whose approval message Slack refused is posted again by the sweep', async () => {
    h.slack.failNext('chat.postMessage', { error: 'not_in_channel' });
    const reply = await h.ask(USERS.outsider, 'optout vpn 1h reposting');
    assert.match(reply, /Slack refused the approval message; jitbot retries it shortly/);
    const id = exceptionIdIn(reply);
    h.clock.advance(3 * 60_000);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && textOf(c).includes(id) && buttonsIn(c).length === 2, 5_000);
    await eventually('approval message stored', () => (exceptionRow(h, id) as { approval_ts?: string | null } | undefined)?.approval_ts ?? undefined);
  });

  test('the form asks for an exception too, with problems shown in the form', async () => {
    const form = (resource: string, duration: string, reason: string) =>
      viewSubmissionBody({
        userId: USERS.lead2,
        callbackId: 'request_modal',
        values: {
          kind: { value: { type: 'radio_buttons', selected_option: { value: 'optout', text: { type: 'plain_text', text: 'Opt-out' } } } },
          resource: { value: { type: 'static_select', selected_option: { value: resource, text: { type: 'plain_text', text: resource } } } },
          duration: { value: { type: 'plain_text_input', value: duration } },
          reason: { value: { type: 'plain_text_input', value: reason } },
        },
      });
    const refused = await signedPost(h.eventsUrl, SIGNING_SECRET, form('kiosk', '1d', 'badge'), 'application/x-www-form-urlencoded');
    const body = (await refused.json()) as { response_action: string; errors: Record<string, string> };
    assert.match(body.errors['resource'] ?? '', /does not allow opt-out/);
    const tooLong = await signedPost(h.eventsUrl, SIGNING_SECRET, form('vpn', '3d', 'long'), 'application/x-www-form-urlencoded');
    assert.match(((await tooLong.json()) as { errors: Record<string, string> }).errors['duration'] ?? '', /at most 1 d/);

    const before = count(h, 'exceptions');
    const res = await signedPost(h.eventsUrl, SIGNING_SECRET, form('vpn', '2h', 'router swap'), 'application/x-www-form-urlencoded');
    assert.equal(res.status, 200);
    const dm = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.lead2 && /Asked for an exception from JIT on \*vpn\*/.test(String(c.args['text'])));
    assert.equal(count(h, 'exceptions'), before + 1);
    assert.equal(exceptionRow(h, exceptionIdIn(String(dm.args['text'])))?.mode, 'standing');
  });
});

describe('an open exception whose timers Redis lost', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ policyExtra: optOutResources });
  });
  after(async () => {
    await h.close();
  });

  test('is closed within reconcile_interval when Redis loses every key while it is open', async () => {
    const exception = await openException(h, USERS.alice, 'vpn 3s flush test');
    await dropPrefix(h.prefix);
    const closed = await eventually('closed', () => (exceptionRow(h, exception.id)?.status === 'closed' ? exceptionRow(h, exception.id) : undefined), 8_000);
    const late = (closed.closed_at ?? 0) - (closed.ends_at ?? 0);
    assert.ok(late < 1_500, `closed ${late} ms after its end (reconcile_interval is 1 s)`);
    const [grant] = grantsOf(h, exception.id);
    await eventually('standing grant revoked', () => (grant && h.grantById(grant.id)?.status === 'revoked' ? true : undefined));
  });

  test('is closed at start-up when the bot was down, and Redis emptied, past its end', async () => {
    const exception = await openException(h, USERS.bob, 'vpn 2s restart test');
    await h.restart({
      whileDown: async () => {
        await dropPrefix(h.prefix);
        await sleep(2_500);
      },
    });
    const closed = await eventually('closed after restart', () => (exceptionRow(h, exception.id)?.status === 'closed' ? exceptionRow(h, exception.id) : undefined));
    assert.equal(closed.close_reason, 'expired');
    assert.equal(audit(h, exception.id).filter((e) => e.action === 'exception.closed').length, 1);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.bob && /exception for \*vpn\* has closed/.test(String(c.args['text'])));
  });

  test('is closed on time across a restart that keeps Redis', async () => {
    const exception = await openException(h, USERS.lead, 'vpn 3s graceful restart');
    await h.restart();
    const closed = await eventually('closed', () => (exceptionRow(h, exception.id)?.status === 'closed' ? exceptionRow(h, exception.id) : undefined), 8_000);
    assert.ok((closed.closed_at ?? 0) - (closed.ends_at ?? 0) < 1_000);
  });

  test('an open auto_approve exception grants nothing once the policy no longer allows opt-outs for the resource', async () => {
    const exception = await openException(h, USERS.alice, 'wiki 1d before the policy change');
    await h.restart({ policyExtra: (url) => optOutResources(url).replace('      allowed: true\n      eligible: [engineers]', '      allowed: false\n      eligible: [engineers]') });
    assert.equal(exceptionRow(h, exception.id)?.status, 'open');
    const requestId = requestIdIn(await h.ask(USERS.alice, 'wiki 30m after the policy change'));
    assert.equal(h.grantFor(requestId), undefined, 'the request waits for approval like anyone else’s');
    const posted = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0WIKI' && textOf(c).includes(requestId));
    assert.deepEqual(buttonsIn(posted).map((b) => b.action_id), ['approve', 'deny']);
  });
});
