/**
 * `npm run demo`: the whole story on this machine, without a Slack workspace. The real bot
 * runs against the stand-in for Slack's Web API the tests use, a throwaway SQLite file and
 * Redis; a script drives it through signed HTTP requests and prints what happens.
 */
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { eventually, requestIdIn, startHarness, USERS, type Harness } from '../test/support/harness.js';
import { startOwnRedis } from '../test/support/redis-server.js';

const NAMES: Record<string, string> = {
  [USERS.alice]: 'alice',
  [USERS.bob]: 'bob',
  [USERS.lead]: 'lee (db-leads)',
  [USERS.lead2]: 'lin (db-leads)',
  [USERS.sec]: 'sam (security)',
};
const nameOf = (id: string) => NAMES[id] ?? id;
// performance.now() is monotonic (Date.now() follows adjustments of the wall clock), so offsets only grow.
const started = performance.now();
const clock = () => `+${((performance.now() - started) / 1000).toFixed(3)}s`.padStart(9);
const say = (symbol: string, text: string) => process.stdout.write(`${clock()}  ${symbol} ${text}\n`);
/** Slack mrkdwn as plain text: mentions named, date tokens shown by their fallback. */
const plain = (text: string) =>
  text
    .replace(/<@([A-Z0-9]+)>/g, (_, id: string) => `@${nameOf(id)}`)
    .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1')
    .replace(/<#([A-Z0-9]+)>/g, '#$1')
    .replace(/\*/g, '');

async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** REDIS_URL when it answers; else a local redis-server of our own; else how to get one. */
async function redis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const given = process.env['REDIS_URL'];
  if (given && (await answers(given))) return { url: given, stop: async () => undefined };
  if (given) say('!', `REDIS_URL=${given} does not answer; starting a redis-server of the demo's own instead.`);
  if (spawnSync('redis-server', ['--version']).error) {
    process.stderr.write(
      'The demo needs Redis and there is no redis-server on this machine.\n' +
        'Install one (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)\n' +
        'or point REDIS_URL at a running Redis, then run npm run demo again.\n',
    );
    process.exit(1);
  }
  const own = await startOwnRedis();
  return { url: own.url, stop: own.stop };
}

/** An App Home as a line: each heading with the first line under it. */
function homeSummary(view: unknown): string {
  const blocks = (view as { blocks?: { type: string; text?: { text?: string }; elements?: { text?: string }[] }[] }).blocks ?? [];
  const parts: string[] = [];
  blocks.forEach((block, i) => {
    if (block.type !== 'header') return;
    const next = blocks[i + 1];
    const first = next?.type === 'header' ? '' : plain(String(next?.text?.text ?? next?.elements?.[0]?.text ?? '').split('\n')[0] ?? '');
    parts.push(`${block.text?.text ?? ''}${first ? `: ${first}` : ''}`);
  });
  return parts.join(' | ');
}

/** Prints what the bot sends to Slack and to the provisioner, as it happens. */
function narrate(h: Harness) {
  let slackSeen = 0;
  let deliveriesSeen = 0;
  const timer = setInterval(() => {
    const lines: { at: number; symbol: string; text: string }[] = [];
    for (const call of h.slack.calls.slice(slackSeen)) {
      const channel = String(call.args['channel'] ?? '');
      const text = plain(String(call.args['text'] ?? ''));
      const buttons = JSON.stringify(call.args['blocks'] ?? []).includes('"action_id":"approve"') ? '   [Approve] [Deny]' : '';
      if (call.method === 'chat.postMessage' && channel.startsWith('U')) lines.push({ at: call.at, symbol: '✉', text: `DM to ${nameOf(channel)}: ${text}` });
      else if (call.method === 'chat.postMessage') lines.push({ at: call.at, symbol: '#', text: `message in #${channel}: ${text}${buttons}` });
      else if (call.method === 'chat.update') lines.push({ at: call.at, symbol: '✎', text: `approval message updated: ${text}` });
      else if (call.method === 'views.publish') lines.push({ at: call.at, symbol: '⌂', text: `App Home of ${nameOf(String(call.args['user_id']))}: ${homeSummary(call.args['view'])}` });
    }
    slackSeen = h.slack.calls.length;
    for (const d of h.webhook.deliveries.slice(deliveriesSeen)) {
      const text = `provisioner webhook ${d.body.type} for ${nameOf(d.body.user.slack_id)} on ${d.body.resource} (signature ${d.verified ? 'verified' : 'INVALID'}, answered ${d.status})`;
      lines.push({ at: d.at, symbol: '⚙', text });
    }
    deliveriesSeen = h.webhook.deliveries.length;
    for (const line of lines.sort((a, b) => a.at - b.at)) say(line.symbol, line.text);
  }, 10);
  return () => clearInterval(timer);
}

async function command(h: Harness, userId: string, text: string): Promise<string> {
  say('▶', `${nameOf(userId)} types /request ${text}`);
  const t0 = performance.now();
  const { status, ack, responseName } = await h.command(userId, text);
  const ackMs = performance.now() - t0;
  const reply = ack.trim() !== '' ? String((JSON.parse(ack) as { text?: string }).text ?? '') : String((await h.slack.waitForResponse(responseName)).body['text'] ?? '');
  say('◀', `(HTTP ${status}, acked in ${ackMs.toFixed(1)} ms) only ${nameOf(userId)} sees: ${plain(reply)}`);
  return reply;
}

async function click(h: Harness, userId: string, action: 'approve' | 'deny', id: string): Promise<void> {
  say('▶', `${nameOf(userId)} clicks ${action === 'approve' ? 'Approve' : 'Deny'} on ${id}`);
  const t0 = performance.now();
  const { status, responseName } = await h.click(userId, action, id);
  say('◀', `(HTTP ${status}, acked in ${(performance.now() - t0).toFixed(1)} ms)`);
  const refusal = await h.slack.waitForResponse(responseName, () => true, 500).catch(() => undefined);
  if (refusal) say('◀', `only ${nameOf(userId)} sees: ${plain(String(refusal.body['text'] ?? ''))}`);
}

async function clickInHome(h: Harness, userId: string, id: string): Promise<void> {
  say('▶', `${nameOf(userId)} clicks Approve on ${id} in jitbot's App Home`);
  const t0 = performance.now();
  const { status } = await h.clickInHome(userId, 'approve', id);
  say('◀', `(HTTP ${status}, acked in ${(performance.now() - t0).toFixed(1)} ms)`);
}

async function main(): Promise<void> {
  const server = await redis();
  process.stdout.write(`jitbot demo: the real bot, a stand-in for Slack's Web API, a throwaway SQLite file, Redis at ${server.url}\n\n`);
  const h = await startHarness({ redisUrl: server.url });
  const stopNarrating = narrate(h);
  try {
    say('▶', `${nameOf(USERS.lead)} opens jitbot's App Home`);
    await h.openHome(USERS.lead);
    await sleep(300);
    const requestId = requestIdIn(await command(h, USERS.alice, 'prod-db 5s debugging INC-4211'));
    await sleep(500);
    await click(h, USERS.alice, 'approve', requestId);
    await sleep(300);
    await clickInHome(h, USERS.lead, requestId);
    const grant = await eventually('grant', () => h.grantFor(requestId));
    say('⏱', `grant ${grant.id} runs until ${new Date(grant.expires_at).toISOString()}; a BullMQ delayed job will revoke it then.`);
    const revoked = await eventually('revocation', () => (h.grantFor(requestId)?.status === 'revoked' ? h.grantFor(requestId) : undefined), 15_000);
    await sleep(300);
    say('✓', `revoked ${(revoked.revoked_at ?? 0) - revoked.expires_at} ms after expiry (reason: ${revoked.revoke_reason}).`);
    const chain = await h.bot.store.verifyAuditChain();
    const events = h.sqlite.prepare('select action from audit_events order by seq').pluck().all() as string[];
    say('✓', `audit trail: ${events.join(' → ')}; hash chain ${chain.ok ? `OK (${chain.count} events)` : 'BROKEN'}.`);
  } finally {
    stopNarrating();
    await h.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
