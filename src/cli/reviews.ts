import { userInfo } from 'node:os';
import { z } from 'zod';
import type { AuditKey } from '../domain/audit-chain.js';
import { systemClock } from '../domain/clock.js';
import { reviewCsv, reviewMarkdown } from '../services/review-document.js';
import { conductReview, ON_DEMAND_REVIEW_DAYS, postedReview } from '../services/review.js';
import { rowAsJson } from '../services/row-json.js';
import { CommandLineError, wordsOf } from './command-line.js';
import { withStore } from './with-store.js';

/** `jitbot review | review export | exceptions`: what the database holds, for people and scripts. */
export function listExceptions(key: AuditKey, all: boolean): Promise<number> {
  return withStore(key, async (store, where) => {
    const exceptions = await store.listExceptions({ all });
    for (const e of exceptions) process.stdout.write(`${JSON.stringify(rowAsJson(e))}\n`);
    // stdout stays JSON lines for scripts; the person at the terminal is told on stderr.
    if (exceptions.length === 0) process.stderr.write(`jitbot exceptions: there are no ${all ? '' : 'pending or open '}opt-out exceptions in ${where}\n`);
    return 0;
  });
}

const reviewDays = z.coerce
  .number({ error: '--days: expected a whole number of days' })
  .int('--days: expected a whole number of days')
  .min(1, '--days: expected at least 1 day')
  .max(366, '--days: expected at most 366 days')
  .default(ON_DEMAND_REVIEW_DAYS);

export function review(key: AuditKey, flags: { days?: string }): Promise<number> {
  const parsed = reviewDays.safeParse(flags.days);
  if (!parsed.success) throw new CommandLineError(`${wordsOf(parsed.error)}, got "${flags.days ?? ''}"`);
  const days = parsed.data;
  return withStore(key, async (store) => {
    // Whoever ran it is recorded: a review is evidence, and evidence says who produced it.
    const record = await conductReview(store, { trigger: 'cli', by: `cli:${userInfo().username}`, days, now: systemClock.now().toMillis() });
    process.stdout.write(reviewMarkdown(record));
    return 0;
  });
}

const reviewExportOptions = z.object({ format: z.enum(['md', 'csv'], { error: '--format: expected md or csv' }).default('md') });

export function reviewExport(key: AuditKey, id: string, flags: { format?: string }): Promise<number> {
  const parsed = reviewExportOptions.safeParse(flags);
  if (!parsed.success) throw new CommandLineError(wordsOf(parsed.error));
  const { format } = parsed.data;
  return withStore(key, async (store, where) => {
    const review = await store.findReview(id);
    if (!review) {
      process.stderr.write(`jitbot review export: there is no review ${id} in ${where}\n`);
      return 1;
    }
    const record = await postedReview(store, review);
    process.stdout.write(format === 'md' ? reviewMarkdown(record) : reviewCsv(record));
    return 0;
  });
}
