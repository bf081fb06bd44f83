import { z } from 'zod';

export const BENCHMARKS = ['ack', 'lateness', 'recovery', 'footprint', 'revoke-all', 'app-home'] as const;

const count = (min: number) => z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number').min(min, `expected at least ${min}`);

const argumentsSchema = z.object({
  /** One benchmark, or all of them. */
  only: z.enum(BENCHMARKS, { error: `expected one of ${BENCHMARKS.join(', ')}` }).optional(),
  store: z.enum(['sqlite', 'postgres'], { error: 'expected sqlite or postgres' }).default('sqlite'),
  /** Bot processes sharing the database and Redis; more than one needs PostgreSQL. */
  replicas: count(1).default(1),
  /** Grants in the lateness, recovery and revoke-all benchmarks (10,000 by default). */
  grants: count(1).optional(),
  /** Of every other timed step in the lateness and recovery benchmarks (500 by default; 0: revocations alone). */
  perKind: count(0).optional(),
});

export type BenchArguments = z.output<typeof argumentsSchema>;

export class BenchArgumentsError extends Error {}

const FLAGS: Record<string, keyof BenchArguments> = { '--store': 'store', '--replicas': 'replicas', '--grants': 'grants', '--per-kind': 'perKind' };
/** What to call a field in a message: its flag, or "benchmark". */
const nameOf = (key: PropertyKey | undefined) => Object.entries(FLAGS).find(([, field]) => field === key)?.[0] ?? 'benchmark';

export const BENCH_USAGE = `usage: npm run bench -- [${BENCHMARKS.join('|')}] [--store sqlite|postgres] [--replicas N] [--grants N] [--per-kind N]`;

/** `lateness --store postgres --replicas 3` (process.argv after the script): what to run, and where. */
export function parseBenchArguments(argv: readonly string[]): BenchArguments {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const word = argv[i] ?? '';
    const [flag, inline] = word.split('=', 2);
    const key = FLAGS[flag ?? ''];
    if (key !== undefined) {
      const value = inline ?? argv[i + 1];
      if (value === undefined) throw new BenchArgumentsError(`${flag ?? word}: expected a value\n${BENCH_USAGE}`);
      if (inline === undefined) i += 1;
      raw[key] = value;
    } else if (word.startsWith('-')) {
      throw new BenchArgumentsError(`unknown option ${word}\n${BENCH_USAGE}`);
    } else if (raw['only'] === undefined) {
      raw['only'] = word;
    } else {
      throw new BenchArgumentsError(`one benchmark at a time (got ${raw['only']} and ${word})\n${BENCH_USAGE}`);
    }
  }
  const parsed = argumentsSchema.safeParse(raw);
  if (!parsed.success) throw new BenchArgumentsError(`${parsed.error.issues.map((issue) => `${nameOf(issue.path[0])}: ${issue.message}`).join('; ')}\n${BENCH_USAGE}`);
  if (parsed.data.replicas > 1 && parsed.data.store !== 'postgres') throw new BenchArgumentsError(`--replicas ${parsed.data.replicas} needs --store postgres (replicas share one PostgreSQL database)\n${BENCH_USAGE}`);
  return parsed.data;
}
