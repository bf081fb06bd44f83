import { setTimeout as sleep } from 'node:timers/promises';
import type { StoreKind } from './support/bench-database.js';
import { startEnvironment } from './support/environment.js';
import { seedExceptions, seedGrants } from './support/seed.js';

export interface FootprintResult {
  grants: number;
  exceptions: number;
  startupMs: number;
  rssAfterStartMb: number;
  rssAfterScrapesMb: number;
}

/** RSS of the bot holding `grants` active grants and `exceptions` open exceptions, timers restored. */
export async function footprintBenchmark(options: { store: StoreKind; grants: number; exceptions: number; log: (line: string) => void }): Promise<FootprintResult> {
  const env = await startEnvironment({ store: options.store });
  try {
    const now = Date.now();
    await seedGrants(env.database, options.grants, (i) => now + 2 * 3_600_000 + i, now);
    await seedExceptions(env.database, options.exceptions, now + 3 * 86_400_000, now);
    options.log(`seeded ${options.grants} grants and ${options.exceptions} exceptions in ${((Date.now() - now) / 1000).toFixed(1)} s`);
    const bot = await env.startBot();
    try {
      options.log(`bot healthy after ${(bot.startupMs / 1000).toFixed(1)} s, every timer restored`);
      await sleep(2_000);
      const rssAfterStartMb = bot.rssBytes() / 2 ** 20;
      // A few sweeps and metrics scrapes (gauges count the grants) before measuring again.
      for (let i = 0; i < 5; i += 1) {
        await fetch(bot.metricsUrl).then((r) => r.text());
        await sleep(1_000);
      }
      const metrics = await fetch(bot.metricsUrl).then((r) => r.text());
      const heap = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0) / 2 ** 20;
      options.log(`V8 heap used ${heap('jitbot_nodejs_heap_size_used_bytes').toFixed(0)} MB of ${heap('jitbot_nodejs_heap_size_total_bytes').toFixed(0)} MB; external ${heap('jitbot_nodejs_external_memory_bytes').toFixed(0)} MB`);
      return { grants: options.grants, exceptions: options.exceptions, startupMs: bot.startupMs, rssAfterStartMb, rssAfterScrapesMb: bot.rssBytes() / 2 ** 20 };
    } finally {
      await bot.stop();
    }
  } finally {
    await env.close();
  }
}
