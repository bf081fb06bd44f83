/**
 * Gathers the calls made while the event loop is busy and hands them to `run` together (e.g.
 * one database transaction for many revocations), resolving each caller with its own result.
 * If `run` throws, every caller in that batch gets the error and can retry.
 */
export function batched<I, O>(run: (items: readonly I[]) => Promise<readonly O[]>, maxBatch: number): (item: I) => Promise<O> {
  const waiting: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const batch = waiting.splice(0, maxBatch);
    if (waiting.length > 0) schedule();
    run(batch.map((w) => w.item)).then(
      (results) => batch.forEach((w, i) => w.resolve(results[i] as O)),
      (error: unknown) => {
        for (const w of batch) w.reject(error);
      },
    );
  };
  const schedule = () => {
    scheduled = true;
    setImmediate(flush);
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (!scheduled) schedule();
    });
}
