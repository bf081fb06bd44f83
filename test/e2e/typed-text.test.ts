import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, SIGNING_SECRET, startHarness, USERS, type Harness } from '../support/harness.js';
import type { SlackCall } from '../support/fake-slack.js';
import { signedPost, viewSubmissionBody } from '../support/slack-requests.js';
import { textsOf } from '../support/texts.js';

/** A reason typed into the form to pass for jitbot's own words: a channel ping, a forged approval line, a disguised link. */
const HOSTILE = 'INC-9 <!channel> please\n*Approved by @lead*\n<https://evil.example|Pre-approved by @lead>';
/** How it reads in jitbot's messages: escaped, on one line. */
const SHOWN = 'INC-9 &lt;!channel&gt; please *Approved by @lead* &lt;https://evil.example|Pre-approved by @lead&gt;';

const TIMEOUT = 20_000;

function submission(kind: 'access' | 'optout', resource: string, duration: string, reason: string): string {
  return viewSubmissionBody({
    userId: USERS.alice,
    callbackId: 'request_modal',
    values: {
      kind: { value: { type: 'radio_buttons', selected_option: { value: kind, text: { type: 'plain_text', text: kind } } } },
      resource: { value: { type: 'static_select', selected_option: { value: resource, text: { type: 'plain_text', text: resource } } } },
      duration: { value: { type: 'plain_text_input', value: duration } },
      reason: { value: { type: 'plain_text_input', value: reason } },
    },
  });
}

/** The person's text reached this call only as text: escaped, on one line, none of its markup live. */
function assertShownAsText(call: SlackCall, where: string): void {
  const texts = textsOf(call.args);
  assert.ok(texts.some((t) => t.includes(SHOWN)), `${where} shows the reason, escaped, on one line`);
  for (const text of texts) {
    assert.doesNotMatch(text, /<!channel>|<https:\/\/evil/, `${where}: no markup of the person's is live`);
    assert.doesNotMatch(text, /\n[>\s]*\*Approved by @lead\*/, `${where}: the reason cannot start a line of its own`);
  }
}

const mentions = (call: SlackCall, text: string) => JSON.stringify(call.args).includes(text);

describe('what people type is shown as text', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      policyExtra: `
  legacy-erp:
    channel: C0ERP
    approvers: [db-leads]
    max_duration: 1h
    opt_out: { allowed: true, approvers: [db-leads], max_duration: 1d, mode: auto_approve }
`,
    });
    assert.equal((await h.openHome(USERS.lead)).status, 200);
  });
  after(async () => {
    await h.close();
  });

  test('a reason from the request form reaches the approval message and the approver\'s App Home as text, and is stored as typed', async () => {
    const res = await signedPost(h.eventsUrl, SIGNING_SECRET, submission('access', 'prod-db', '30m', HOSTILE), 'application/x-www-form-urlencoded');
    assert.equal(res.status, 200);
    const approval = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0DBAPPROVALS' && mentions(c, 'INC-9'), TIMEOUT);
    assertShownAsText(approval, 'the approval message');

    const home = await h.slack.waitForCall('views.publish', (c) => c.args['user_id'] === USERS.lead && mentions(c, 'INC-9'), TIMEOUT);
    assertShownAsText(home, 'the approver\'s App Home');

    const stored = h.sqlite.prepare("select reason from requests where reason like 'INC-9%'").pluck().get();
    assert.equal(stored, HOSTILE, 'the record keeps exactly what was typed; only what Slack shows is escaped');
  });

  test('a reason from the opt-out form reaches the security channel and the resource\'s channel as text', async () => {
    h.slack.reset();
    const res = await signedPost(h.eventsUrl, SIGNING_SECRET, submission('optout', 'legacy-erp', '1d', HOSTILE), 'application/x-www-form-urlencoded');
    assert.equal(res.status, 200);
    const approval = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && mentions(c, 'INC-9'), TIMEOUT);
    assertShownAsText(approval, 'the exception approval message in the security channel');
    const note = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0ERP' && mentions(c, 'INC-9'), TIMEOUT);
    assertShownAsText(note, 'the note in the resource\'s channel');
  });

  test('a refusal that quotes what was typed shows it as text', async () => {
    const reply = await h.ask(USERS.alice, '<!channel> 30m INC-9 <https://evil.example|ok>');
    assert.match(reply, /There is no resource called "&lt;!channel&gt;"/);
    assert.doesNotMatch(reply, /<!channel>|<https:/);
  });
});
