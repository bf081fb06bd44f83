import { DateTime } from 'luxon';
import { z } from 'zod';

/**
 * An ISO 8601 date or time (UTC unless it names a zone) as epoch milliseconds, for `--since`
 * on the CLI and `since=` on the admin API. `expected` is what the complaint says was wanted.
 */
export const isoInstant = (expected: string) =>
  z.string().transform((text, ctx) => {
    const moment = DateTime.fromISO(text, { zone: 'utc' });
    if (!moment.isValid) {
      ctx.addIssue({ code: 'custom', message: `${expected}, got "${text}"` });
      return z.NEVER;
    }
    return moment.toMillis();
  });
