/** p50/p99/max of a list of numbers (milliseconds), nearest-rank. */
export function summarize(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
  return { count: sorted.length, min: sorted[0] ?? Number.NaN, p50: rank(50), p99: rank(99), max: sorted[sorted.length - 1] ?? Number.NaN };
}

export type Summary = ReturnType<typeof summarize>;

export const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'n/a');

/** Runs `work(i)` for i in [0, total) with at most `inFlight` at once; returns each call's duration (ms). */
export async function closedLoop(total: number, inFlight: number, work: (i: number) => Promise<void>): Promise<number[]> {
  const durations: number[] = new Array<number>(total);
  let next = 0;
  const lane = async () => {
    for (;;) {
      const i = next;
      next += 1;
      if (i >= total) return;
      const t0 = performance.now();
      await work(i);
      durations[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, lane));
  return durations;
}
