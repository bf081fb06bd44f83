import { and, eq, gt, gte, lt, or, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/** `column = value`, or no condition at all when the filter is not given. */
export const equalsIfGiven = (column: PgColumn, value: string | undefined): SQL | undefined => (value === undefined ? undefined : eq(column, value));

/** Conditions of one page of a listing ordered by (time, id): the time range, and after the cursor. */
export function pageAfter(
  time: PgColumn,
  id: PgColumn,
  range: { since?: number | undefined; until?: number | undefined },
  after: { at: number; id: string } | undefined,
): (SQL | undefined)[] {
  return [
    range.since === undefined ? undefined : gte(time, range.since),
    range.until === undefined ? undefined : lt(time, range.until),
    after === undefined ? undefined : or(gt(time, after.at), and(eq(time, after.at), gt(id, after.id))),
  ];
}
