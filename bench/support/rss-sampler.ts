const MB = 2 ** 20;

/**
 * Samples a process's RSS every `everyMs` until stopped: the largest sample and one sample a
 * second (the shape of the curve). A sampler can miss a spike shorter than its interval; the
 * kernel's high-water mark (`peakRssBytes`) cannot, so the benchmarks report both.
 */
export function sampleRss(readRss: () => number, everyMs = 100) {
  const startedAt = performance.now();
  let peak = readRss();
  const perSecond: number[] = [peak];
  const timer = setInterval(() => {
    const rss = readRss();
    peak = Math.max(peak, rss);
    const second = Math.floor((performance.now() - startedAt) / 1_000);
    if (second >= perSecond.length) perSecond.push(rss);
  }, everyMs);
  return {
    /** Stops sampling; sizes in MB. */
    stop() {
      clearInterval(timer);
      return { peakMb: peak / MB, perSecondMb: perSecond.map((bytes) => bytes / MB) };
    },
  };
}
