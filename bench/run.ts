import { buildOnce } from './support/bot-process.js';
import { revocationBenchmark } from './revocation-lateness.js';
import { ms } from './support/stats.js';

const log = (line: string) => process.stdout.write(`  · ${line}\n`);

async function main() {
  const only = process.argv[2];
  buildOnce();
  if (!only || only === 'lateness') {
    process.stdout.write('\n2. Revocation lateness: 10,000 grants expiring within the same 10 s\n');
    const r = await revocationBenchmark({ grants: 10_000, spreadMs: 10_000, log });
    process.stdout.write(`  revoked ${r.grants - r.notRevoked}/${r.grants}; lateness p50 ${ms(r.lateness.p50)}, p99 ${ms(r.lateness.p99)}, max ${ms(r.lateness.max)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
