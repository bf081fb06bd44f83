import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StoreKind } from './support/bench-database.js';
import { startEnvironment } from './support/environment.js';
import { revocationLateness, seedGrants, seedTimedSteps, timedStepLateness } from './support/seed.js';
import { sampleRss } from './support/rss-sampler.js';
import { summarize, type Summary } from './support/stats.js';

export interface LatenessResult {
  grants: number;
  notRevoked: number;
  lateness: Summary;
  /** Every kind of timed step due in the same burst (revocations included): how late, and how many never happened. */
  kinds: { kind: string; notDone: number; lateness: Summary }[];
  /** The bot's memory around the burst, in MB: from just before it until its last DM is sent (the largest replica's). */
  rss: { beforeMb: number; peakMb: number; peakSampledMb: number; afterMb: number };
}

/**
 * How long seeding and start-up may take before the first expiry (ms): once, per bot process,
 * per grant and per timed step of each kind. PostgreSQL seeds through a copy (bench-database.ts).
 */
const LEAD = { sqlite: { base: 30_000, bot: 5_000, grant: 5, step: 40 }, postgres: { base: 20_000, bot: 15_000, grant: 10, step: 60 } } as const;

const MB = 2 ** 20;

/**
 * `grants` active grants whose expiries fall within the same `spreadMs`, and `perKind` of every
 * other timed step (warnings, scheduled starts, escalations, lapses, reminders, exception
 * closings) due within the same spread. With `flushBeforeMs`, Redis is FLUSHALLed that long
 * before the first expiry (the recovery benchmark).
 */
export async function revocationBenchmark(options: {
  store: StoreKind;
  replicas: number;
  grants: number;
  spreadMs: number;
  perKind: number;
  flushBeforeMs?: number;
  log: (line: string) => void;
}): Promise<LatenessResult> {
  const env = await startEnvironment({ store: options.store });
  try {
    const seedStart = Date.now();
    // Far enough ahead for seeding and start-up; the bot schedules them when it starts.
    const lead = LEAD[options.store];
    const firstExpiry = seedStart + lead.base + options.replicas * lead.bot + options.grants * lead.grant + options.perKind * lead.step;
    await seedGrants(env.database, options.grants, (i) => firstExpiry + Math.floor((i * options.spreadMs) / options.grants), seedStart);
    await seedTimedSteps(env.database, options.perKind, (i) => firstExpiry + Math.floor(((i + 0.5) * options.spreadMs) / options.perKind), seedStart);
    options.log(`seeded ${options.grants} active grants and ${options.perKind} of every other timed step in ${((Date.now() - seedStart) / 1000).toFixed(1)} s (${options.store})`);
    const bots = await env.startReplicas(options.replicas);
    let rss: LatenessResult['rss'] = { beforeMb: NaN, peakMb: NaN, peakSampledMb: NaN, afterMb: NaN };
    options.log(`${bots.length} bot process(es) healthy after ${(Math.max(...bots.map((b) => b.startupMs)) / 1000).toFixed(1)} s (timers restored from ${options.store}); first expiry in ${((firstExpiry - Date.now()) / 1000).toFixed(1)} s`);
    try {
      if (Date.now() > firstExpiry - 2_000) throw new Error('seeding and start-up ran past the first expiry: raise LEAD for this store');
      if (options.flushBeforeMs !== undefined) {
        await sleep(firstExpiry - options.flushBeforeMs - Date.now());
        await env.flushRedis();
        options.log(`FLUSHALL ${options.flushBeforeMs} ms before the first expiry`);
      }
      // Where a stall comes from: the bot's event loop (prom-client's lag, reset at each scrape) or this process's (fake Slack, webhook receiver).
      await sleep(Math.max(0, firstExpiry - 1_000 - Date.now()));
      const lagMaxMs = async () => Math.max(...(await Promise.all(bots.map((bot) => botLagMaxMs(bot.metricsUrl)))));
      await lagMaxMs();
      const ours = monitorEventLoopDelay({ resolution: 10 });
      ours.enable();
      const largestRss = () => Math.max(...bots.map((bot) => bot.rssBytes()));
      const beforeMb = largestRss() / MB;
      for (const bot of bots) bot.resetPeakRss();
      const sampler = sampleRss(largestRss);
      const deadline = firstExpiry + options.spreadMs + 60_000;
      for (;;) {
        await sleep(1_000);
        const allDone = (await timedStepLateness(env.database)).every((k) => k.notDone === 0);
        if (allDone || Date.now() > deadline) break;
      }
      ours.disable();
      options.log(`event loop max lag during the burst: bot ${(await lagMaxMs()).toFixed(0)} ms, this process (fake Slack, webhook receiver) ${(ours.max / 1e6).toFixed(0)} ms`);
      // The burst's memory lasts until the last "access ended" DM is out: Slack quiet for 2 s.
      await untilQuiet(() => env.slack.calls.length, 2_000, deadline);
      const sampled = sampler.stop();
      rss = { beforeMb, peakMb: Math.max(...bots.map((bot) => bot.peakRssBytes())) / MB, peakSampledMb: sampled.peakMb, afterMb: largestRss() / MB };
      options.log(`bot RSS by second from 1 s before the first expiry to the last DM (MB): ${sampled.perSecondMb.map((mb) => mb.toFixed(0)).join(' ')}`);
    } finally {
      await Promise.all(bots.map((bot) => bot.stop()));
    }
    const { lateness, notRevoked } = await revocationLateness(env.database);
    const tenth = Math.ceil(lateness.length / 10);
    const deciles = Array.from({ length: 10 }, (_, d) => summarize(lateness.slice(d * tenth, (d + 1) * tenth)).p50.toFixed(0));
    options.log(`median lateness by tenth of the burst (ms): ${deciles.join(' ')}`);
    const fine = Array.from({ length: 30 }, (_, d) => summarize(lateness.slice(d * 100, (d + 1) * 100)).max.toFixed(0));
    options.log(`max lateness per 100 grants, the first 3000 (ms): ${fine.join(' ')}`);
    const kinds = (await timedStepLateness(env.database)).map((k) => ({ kind: k.kind, notDone: k.notDone, lateness: summarize(k.lateness) }));
    return { grants: options.grants, notRevoked, lateness: summarize(lateness), kinds, rss };
  } finally {
    await env.close();
  }
}

/** Waits until `count()` has not changed for `quietMs` (or until `deadline`). */
async function untilQuiet(count: () => number, quietMs: number, deadline: number): Promise<void> {
  let last = count();
  let since = Date.now();
  while (Date.now() - since < quietMs && Date.now() < deadline) {
    await sleep(250);
    const now = count();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

/** The bot's `nodejs_eventloop_lag_max_seconds` since the last scrape, in ms. */
async function botLagMaxMs(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const value = /^jitbot_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1];
  return Number(value ?? NaN) * 1000;
}
