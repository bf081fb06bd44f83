import { BenchArgumentsError, parseBenchArguments } from './support/arguments.js';
import { buildOnce } from './support/bot-process.js';
import { ackBenchmark } from './ack-latency.js';
import { appHomeBenchmark } from './app-home.js';
import { footprintBenchmark } from './footprint.js';
import { revocationBenchmark, type LatenessResult } from './revocation-lateness.js';
import { revokeAllBenchmark } from './revoke-all.js';
import { ms } from './support/stats.js';

const log = (line: string) => process.stdout.write(`  · ${line}\n`);

/** One line per kind of timed step: done, earliest (never below 0: no timer fires early) and how late. */
function writeKinds(kinds: LatenessResult['kinds']): void {
  for (const k of kinds.filter((kind) => kind.lateness.count + kind.notDone > 0)) {
    process.stdout.write(`    ${k.kind.padEnd(21)} ${k.lateness.count}/${k.lateness.count + k.notDone}; earliest ${ms(k.lateness.min)}, p50 ${ms(k.lateness.p50)}, p99 ${ms(k.lateness.p99)}, max ${ms(k.lateness.max)}\n`);
  }
}

async function main() {
  const { only, store, replicas, grants = 10_000, perKind = 500 } = parseBenchArguments(process.argv.slice(2));
  const where = { store, replicas };
  process.stdout.write(`Store: ${store}, ${replicas} bot process${replicas > 1 ? 'es' : ''} (sharing the database and Redis)\n`);
  buildOnce();
  if (!only || only === 'ack') {
    process.stdout.write('\n1. Ack latency under load, beside a bare Bolt app that only acks\n');
    const ack = { ...where, total: 2_000, inFlight: 25, batch: 200, log };
    // The split deployment is one web and one worker process.
    const runs = [...(await ackBenchmark({ ...ack, split: false })), ...(replicas === 1 ? await ackBenchmark({ ...ack, split: true }) : [])];
    for (const r of runs) {
      process.stdout.write(
        `  ${r.kind.padEnd(9)} ${r.deployment.padEnd(12)} jitbot p50 ${ms(r.jitbot.p50)}, p99 ${ms(r.jitbot.p99)}, max ${ms(r.jitbot.max)}, ${r.jitbotPerSecond.toFixed(0)}/s | ` +
          `bare Bolt p50 ${ms(r.bare.p50)}, p99 ${ms(r.bare.p99)}, max ${ms(r.bare.max)}, ${r.barePerSecond.toFixed(0)}/s | p99 ratio ${(r.jitbot.p99 / r.bare.p99).toFixed(2)}\n`,
      );
    }
  }
  if (!only || only === 'lateness') {
    process.stdout.write(`\n2. Timer lateness: ${grants.toLocaleString('en')} grants expiring within the same 10 s, and ${perKind} of every other timed step due then\n`);
    const r = await revocationBenchmark({ ...where, grants, spreadMs: 10_000, perKind, log });
    process.stdout.write(`  revoked ${r.grants - r.notRevoked}/${r.grants}; lateness p50 ${ms(r.lateness.p50)}, p99 ${ms(r.lateness.p99)}, max ${ms(r.lateness.max)}\n`);
    writeKinds(r.kinds);
    process.stdout.write(`  bot RSS ${r.rss.beforeMb.toFixed(0)} MB before the burst, peak ${r.rss.peakMb.toFixed(0)} MB (sampled every 100 ms: ${r.rss.peakSampledMb.toFixed(0)} MB), ${r.rss.afterMb.toFixed(0)} MB after the last DM\n`);
  }
  if (!only || only === 'recovery') {
    process.stdout.write(`\n3. Recovery: ${grants.toLocaleString('en')} grants and ${perKind} of every other timed step, Redis FLUSHALL 3 s before they fall due\n`);
    const r = await revocationBenchmark({ ...where, grants, spreadMs: 10_000, perKind, flushBeforeMs: 3_000, log });
    process.stdout.write(`  revoked ${r.grants - r.notRevoked}/${r.grants}; lateness p50 ${ms(r.lateness.p50)}, p99 ${ms(r.lateness.p99)}, max ${ms(r.lateness.max)}\n`);
    writeKinds(r.kinds);
  }
  if (!only || only === 'footprint') {
    process.stdout.write('\n4. Footprint: 100,000 active grants and 1,000 open exceptions (one process)\n');
    const r = await footprintBenchmark({ store, grants: 100_000, exceptions: 1_000, log });
    process.stdout.write(`  RSS ${r.rssAfterStartMb.toFixed(0)} MB after start-up, ${r.rssAfterScrapesMb.toFixed(0)} MB after sweeps and scrapes\n`);
  }
  if (!only || only === 'revoke-all') {
    process.stdout.write(`\n5. Incident revoke-all: /request revoke-all --all over ${grants.toLocaleString('en')} active grants\n`);
    const r = await revokeAllBenchmark({ ...where, grants, log });
    process.stdout.write(`  reply after ${ms(r.replyMs)}; ${r.notRevoked === 0 ? 'all ' : ''}${r.grants - r.notRevoked}/${r.grants} revoked (each webhook answered) after ${ms(r.allRevokedMs)}\n`);
  }
  if (!only || only === 'app-home') {
    process.stdout.write('\n6. App Home: an approver with 500 requests waiting, 100 people using App Home (one process)\n');
    const r = await appHomeBenchmark({ store, pending: 500, viewers: 100, log });
    process.stdout.write(`  opened and drawn after ${ms(r.openMs)}; a new request redrew the approver's home after ${ms(r.redrawMs)}, ${r.publishes} home(s) published in all\n`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof BenchArgumentsError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
