import { connect } from 'node:net';

/**
 * Seeded randomness for fuzz tests: the seed comes from FUZZ_SEED or is drawn, and the test
 * prints it, so `FUZZ_SEED=<seed>` replays a failure exactly. FUZZ_CASES makes a run bigger.
 */
export function fuzzSettings(name: string, defaultCases: number) {
  const seed = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
  const cases = Number(process.env['FUZZ_CASES'] ?? defaultCases);
  process.stdout.write(`# ${name}: FUZZ_SEED=${seed} FUZZ_CASES=${cases}\n`);
  return { seed, cases, random: seededRandom(seed) };
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number) => Math.floor(next() * below);
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    /** Bytes of any value, printable or not. */
    bytes: (length: number) => Buffer.from(Array.from({ length }, () => int(256))),
    /** A string mixing ASCII, control characters, Slack markup and non-BMP text. */
    text: (maxLength: number) => {
      const alphabet = ['a', 'Z', '0', ' ', '-', '/', '\\', '%', '%00', '%zz', '<', '>', '&', '"', "'", '`', '*', '_', '~', '<!channel>', '<@U0LEAD1>', '\u0000', '\n', '\r', '\t', 'é', '\u202e', '😀', '\ud800', '{', '}', '[', ']', ':', ';', '=', '?', '#', '@'];
      return Array.from({ length: int(maxLength + 1) }, () => alphabet[int(alphabet.length)]).join('');
    },
  };
}

export type Random = ReturnType<typeof seededRandom>;

/**
 * Writes bytes to a TCP port exactly as given (nothing normalizes them, unlike an HTTP client),
 * half-closes, and returns the status code of the first response line, if any came.
 */
export function rawExchange(port: number, request: Buffer, timeoutMs = 5_000): Promise<{ status: number | undefined; response: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const response = Buffer.concat(chunks).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1];
      resolve({ status: status === undefined ? undefined : Number(status), response });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', done);
    socket.on('close', done);
    socket.end(request);
  });
}

/** Runs `work` for each index with at most `parallel` at once. */
export async function inParallel(count: number, parallel: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < count; index = next++) await work(index);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, lane));
}
