import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, SIGNING_SECRET, startHarness, USERS, type Harness } from '../support/harness.js';
import { fuzzSettings, inParallel, type Random } from '../support/fuzz.js';
import { blockActionBody, homeActionBody, signedPost, slashCommandBody, uniqueDeliveryId, viewSubmissionBody } from '../support/slack-requests.js';

/**
 * Who the fuzz acts as: nobody who may request prod-db (alice, bob, lead), nor the security
 * team (sec): whatever they send is refused or only read. `staging` (anyone may request it)
 * is never named, so nothing the fuzz sends can legitimately create a request.
 */
const actors = [USERS.outsider, USERS.lead2, 'U0NOBODY', 'W0ENTERPRISE', '', 'U0' + 'X'.repeat(300), '<@U0LEAD1>'];
const words = ['prod-db', 'prod-dbx', 'payments', '30m', '2h', '0m', '-1h', '99999d', '1h30m', '--emergency', 'optout', 'list', 'help', 'release', 'cancel', 'revoke', 'review', 'revoke-all', '--resource', '--user', '--all', 'at', '22:00', '2026-12-01T22:00', 'INC-1', 'req-abc', 'grt-abc', 'exc-abc', 'rev-abc', '<@U0ALICE>', '<!channel>'];
const actionIds = ['approve', 'deny', 'acknowledge', 'extend', 'release', 'cancel', 'request_again', 'keep', 'revoke'];
const callbackIds = ['request_modal', 'review_decision', 'extend_modal'];

function anyValue(random: Random, depth = 0): unknown {
  switch (random.int(depth > 2 ? 8 : 11)) {
    case 0: return null;
    case 1: return random.chance(0.5);
    case 2: return random.pick([0, -1, 1e308, 2 ** 53 + 1, 0.5]);
    case 3: return '';
    case 4: return random.text(40);
    case 5: return 'x'.repeat(random.int(20_000));
    case 6: return random.pick(words);
    case 7: return random.pick([...actors, ...actionIds, ...callbackIds, 'req-zzz', 'grt-zzz', '{"reviewId":"rev-1","subjectId":"grt-1","decision":"revoke"}']);
    case 8: return [anyValue(random, depth + 1)];
    case 9: return { [random.text(8)]: anyValue(random, depth + 1) };
    default: return Array.from({ length: random.int(4) }, () => anyValue(random, depth + 1));
  }
}

/** Deletes, replaces and adds keys anywhere in a JSON value, a few at a time. */
function mutated(value: unknown, random: Random, rate: number): unknown {
  if (Array.isArray(value)) return value.filter(() => !random.chance(rate / 2)).map((item) => (random.chance(rate) ? anyValue(random) : mutated(item, random, rate)));
  if (value === null || typeof value !== 'object') return random.chance(rate) ? anyValue(random) : value;
  const entries = Object.entries(value)
    .filter(() => !random.chance(rate / 2))
    .map(([key, item]): [string, unknown] => [key, random.chance(rate) ? anyValue(random) : mutated(item, random, rate)]);
  if (random.chance(rate)) entries.push([random.pick(['user', 'actions', 'view', 'event', 'trigger_id', 'response_url', 'type', random.text(6)]), anyValue(random)]);
  return Object.fromEntries(entries);
}

const commandText = (random: Random) => Array.from({ length: random.int(7) }, () => (random.chance(0.8) ? random.pick(words) : random.text(30))).join(random.pick([' ', '  ', '\t', '\n']));

/** response_urls the bot may post to: the fake Slack, or places that refuse at once; never the internet. */
const responseUrl = (h: Harness, random: Random) => random.chance(0.8) ? h.slack.responseUrl(`fuzz-${random.int(1e6)}`) : random.pick(['http://127.0.0.1:1/nothing', 'not a url', '', `${h.slack.baseUrl}/api/chat.postMessage`]);

const decodedPayload = (form: string) => JSON.parse(new URLSearchParams(form).get('payload') ?? '{}') as unknown;
const asPayloadForm = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

/** One correctly signed delivery: a command, click, form submission or event, mutated. */
function mutatedDelivery(h: Harness, random: Random): { body: string; contentType: string } {
  const form = 'application/x-www-form-urlencoded';
  const user = random.pick(actors);
  const rate = random.pick([0, 0, 0.01, 0.03, 0.1]);
  switch (random.int(5)) {
    case 0: {
      const fields = new URLSearchParams(slashCommandBody({ text: commandText(random), userId: user, responseUrl: responseUrl(h, random), command: random.chance(0.9) ? '/request' : random.text(10) }));
      for (const key of [...fields.keys()]) {
        if (random.chance(rate / 2)) fields.delete(key);
        else if (random.chance(rate)) fields.set(key, String(anyValue(random)));
      }
      return { body: fields.toString(), contentType: random.chance(0.95) ? form : 'application/json' };
    }
    case 1: {
      const click = blockActionBody({ actionId: random.chance(0.9) ? random.pick(actionIds) : random.text(10), value: String(anyValue(random)), userId: user, responseUrl: responseUrl(h, random), triggerId: uniqueDeliveryId('fuzz') });
      return { body: asPayloadForm(mutated(decodedPayload(click), random, rate)), contentType: form };
    }
    case 2: {
      const click = homeActionBody({ actionId: random.pick(actionIds), value: String(anyValue(random)), userId: user, triggerId: uniqueDeliveryId('fuzz') });
      return { body: asPayloadForm(mutated(decodedPayload(click), random, rate)), contentType: form };
    }
    case 3: {
      const values = {
        kind: { value: { type: 'radio_buttons', selected_option: { value: random.pick(['access', 'optout', random.text(5)]) } } },
        resource: { value: { type: 'static_select', selected_option: { value: random.pick(['prod-db', 'payments', random.text(10)]) } } },
        duration: { value: { type: 'plain_text_input', value: random.pick(words) } },
        reason: { value: { type: 'plain_text_input', value: random.text(100) } },
        by: { value: { type: 'static_select', selected_option: { value: random.pick(['900000', '-1', 'NaN', random.text(5)]) } } },
        note: { value: { type: 'plain_text_input', value: random.text(50) } },
      };
      const metadata = random.pick(['', 'grt-abc', '{"reviewId":"rev-abc","subjectId":"grt-abc","decision":"revoke"}', '{', random.text(30)]);
      const view = viewSubmissionBody({ userId: user, callbackId: random.chance(0.9) ? random.pick(callbackIds) : random.text(8), values, privateMetadata: metadata });
      return { body: asPayloadForm(mutated(decodedPayload(view), random, rate)), contentType: form };
    }
    default: {
      const event = { type: random.chance(0.8) ? 'app_home_opened' : random.text(10), user, channel: `D${user}`, tab: random.pick(['home', 'messages', random.text(4)]), event_ts: String(Date.now() / 1000) };
      const delivery = { type: 'event_callback', team_id: 'T0TEAM', api_app_id: 'A0JITBOT', event, event_id: uniqueDeliveryId('EvFuzz'), event_time: Math.floor(Date.now() / 1000) };
      return { body: JSON.stringify(mutated(delivery, random, rate)), contentType: random.chance(0.95) ? 'application/json' : form };
    }
  }
}

/** Waits until the bot has stopped calling Slack for a second: what the deliveries started is done. */
async function settled(h: Harness): Promise<void> {
  let last = -1;
  let since = Date.now();
  await eventually(
    'Slack traffic to settle',
    () => {
      const seen = h.slack.calls.length + h.slack.responses.length;
      if (seen !== last) [last, since] = [seen, Date.now()];
      return Date.now() - since > 1_000 ? true : undefined;
    },
    60_000,
  );
}

describe('no signed Slack payload makes the bot write more than a refusal', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  test('a correctly signed body of a shape Slack never sends is refused 400 before any listener', async () => {
    const form = 'application/x-www-form-urlencoded';
    const click = decodedPayload(blockActionBody({ actionId: 'approve', value: 'req-abc', userId: USERS.outsider, responseUrl: h.slack.responseUrl('shape') })) as Record<string, unknown>;
    const command = new URLSearchParams(slashCommandBody({ text: 'help', userId: USERS.outsider, responseUrl: h.slack.responseUrl('shape') }));
    command.delete('response_url');
    const bodies: [string, string][] = [
      [asPayloadForm({ ...click, actions: false }), form],
      [asPayloadForm({ ...click, team: { id: null } }), form],
      [command.toString(), form],
      [JSON.stringify({ type: 'event_callback', event_id: uniqueDeliveryId('Ev'), event: { type: 'app_home_opened', user: null } }), 'application/json'],
    ];
    for (const [body, contentType] of bodies) assert.equal((await signedPost(h.eventsUrl, SIGNING_SECRET, body, contentType)).status, 400, body.slice(0, 120));
  });

  test('mutated commands, clicks, form submissions and events are answered, and only refusals are written', async () => {
    const { seed, cases, random } = fuzzSettings('Slack payload fuzz', 200);
    const deliveries = Array.from({ length: cases }, () => mutatedDelivery(h, random));
    const unexpected: string[] = [];
    await inParallel(cases, 32, async (index) => {
      const delivery = deliveries[index];
      if (delivery === undefined) return;
      const res = await signedPost(h.eventsUrl, SIGNING_SECRET, delivery.body, delivery.contentType);
      await res.arrayBuffer();
      // 200 an ack, 400 a body Bolt cannot parse, 404 what no listener handles (Bolt's answer after 3 s).
      if (![200, 400, 404].includes(res.status)) unexpected.push(`case ${index} answered ${res.status}: ${delivery.body.slice(0, 300)}`);
    });
    await settled(h);
    assert.deepEqual(unexpected, [], `FUZZ_SEED=${seed}`);
    assert.equal((await fetch(h.eventsUrl.replace('/slack/events', '/healthz'))).status, 200, `FUZZ_SEED=${seed}`);
    for (const table of ['requests', 'grants', 'exceptions', 'reviews', 'break_glass_uses', 'review_decisions']) assert.equal(h.count(table), 0, `FUZZ_SEED=${seed}: nothing in ${table}`);
    const actions = h.sqlite.prepare('select distinct action from audit_events').pluck().all() as string[];
    assert.deepEqual(actions.filter((action) => !action.endsWith('.refused')), [], `FUZZ_SEED=${seed}: only refusals are audited`);
    assert.match(await h.ask(USERS.alice, 'help'), /\/request list/, 'Slack is still answered');
  });
});
