import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from '../test/support/free-port.js';
import { blockActionBody, signedPost, slashCommandBody } from '../test/support/slack-requests.js';
import type { StoreKind } from './support/bench-database.js';
import { SIGNING_SECRET, startEnvironment } from './support/environment.js';
import { APPROVER, userId } from './support/seed.js';
import { closedLoop, summarize, type Summary } from './support/stats.js';

export interface AckResult {
  kind: '/request' | 'approve';
  deployment: string;
  jitbot: Summary;
  bare: Summary;
  jitbotPerSecond: number;
  barePerSecond: number;
}

async function startBareBolt(slackApiUrl: string) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/bare-bolt.ts', String(port), SIGNING_SECRET, slackApiUrl], {
    cwd: new URL('../', import.meta.url).pathname,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout, 'data');
  return {
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * Slash commands, then Approve clicks, at `inFlight` concurrent requests: to jitbot and to a
 * bare Bolt app whose handlers only ack, in alternating batches of the same run. What is
 * measured is the HTTP round trip of the signed request: the time until Slack would see the ack.
 * With several replicas, jitbot's requests go to each in turn, as a round-robin load balancer
 * sends them.
 */
export async function ackBenchmark(options: { store: StoreKind; replicas: number; total: number; inFlight: number; batch: number; split: boolean; log: (line: string) => void }): Promise<AckResult[]> {
  if (options.split && options.replicas > 1) throw new Error('the split deployment runs one web and one worker process');
  const env = await startEnvironment({ store: options.store });
  const deployment = options.split ? 'web + worker' : options.replicas > 1 ? `${options.replicas} replicas` : 'one process';
  const bots = options.split ? [await env.startBot('web')] : await env.startReplicas(options.replicas);
  const worker = options.split ? await env.startBot('worker') : undefined;
  const bare = await startBareBolt(env.slack.apiUrl);
  try {
    const form = 'application/x-www-form-urlencoded';
    const command = (url: string) => async (i: number) => {
      const body = slashCommandBody({ text: `prod-db 30m bench ack INC-${i}`, userId: userId(i), responseUrl: env.slack.responseUrl(`ack-${i}`) });
      const res = await signedPost(url, SIGNING_SECRET, body, form);
      const answer = await res.text();
      if (res.status !== 200) throw new Error(`/request to ${url} answered ${res.status}: ${answer}`);
    };
    const durations = { jitbot: [] as number[], bare: [] as number[] };
    const busy = { jitbot: 0, bare: 0 };
    async function alternate(kind: string, run: (target: 'jitbot' | 'bare', offset: number, count: number) => Promise<number[]>) {
      durations.jitbot = [];
      durations.bare = [];
      busy.jitbot = 0;
      busy.bare = 0;
      for (let offset = 0; offset < options.total; offset += options.batch) {
        const count = Math.min(options.batch, options.total - offset);
        for (const target of ['jitbot', 'bare'] as const) {
          const t0 = performance.now();
          durations[target].push(...(await run(target, offset, count)));
          busy[target] += performance.now() - t0;
        }
      }
      options.log(`${kind}: ${options.total} to each, ${options.inFlight} in flight, alternating batches of ${options.batch}`);
    }
    const urls = { jitbot: (i: number) => bots[i % bots.length]?.eventsUrl ?? '', bare: () => bare.eventsUrl };
    const results: AckResult[] = [];

    await alternate('/request', (target, offset, count) => closedLoop(count, options.inFlight, (i) => command(urls[target](offset + i))(offset + i)));
    results.push({ kind: '/request', deployment, jitbot: summarize(durations.jitbot), bare: summarize(durations.bare), jitbotPerSecond: (options.total / busy.jitbot) * 1000, barePerSecond: (options.total / busy.bare) * 1000 });

    // The requests just made, waiting for approval.
    const pending = await env.database.strings("select id from requests where status = 'pending' order by created_at");
    options.log(`${pending.length} requests pending for the approve clicks`);
    const click = (url: string, value: string) => async () => {
      const body = blockActionBody({ actionId: 'approve', value, userId: APPROVER, responseUrl: env.slack.responseUrl('click') });
      const res = await signedPost(url, SIGNING_SECRET, body, form);
      const answer = await res.text();
      if (res.status !== 200) throw new Error(`approve to ${url} answered ${res.status}: ${answer}`);
    };
    await alternate('approve', (target, offset, count) => closedLoop(count, options.inFlight, (i) => click(urls[target](offset + i), pending[offset + i] ?? 'req-missing')()));
    results.push({ kind: 'approve', deployment, jitbot: summarize(durations.jitbot), bare: summarize(durations.bare), jitbotPerSecond: (options.total / busy.jitbot) * 1000, barePerSecond: (options.total / busy.bare) * 1000 });
    options.log(`auth.test calls Slack saw: ${env.slack.callsTo('auth.test').length} (each bot process checks its token once at start-up)`);
    return results;
  } finally {
    await bare.stop();
    await worker?.stop();
    await Promise.all(bots.map((bot) => bot.stop()));
    await env.close();
  }
}
