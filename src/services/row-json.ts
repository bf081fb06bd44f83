/**
 * A stored row as jitbot shows it outside (admin API, CLI, audit export and stream):
 * snake_case keys, times (`at`, `…At`, `since`, `until`: epoch ms in SQLite) as ISO 8601, `details` as JSON.
 */
export function rowAsJson(row: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([key, value]: [string, unknown]) => {
      const isTime = (key === 'at' || key.endsWith('At') || key === 'since' || key === 'until') && typeof value === 'number';
      const shown = isTime ? new Date(value).toISOString() : key === 'details' && typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
      return [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), shown];
    }),
  );
}

/** Like rowAsJson, all the way down: for documents stored as JSON (a review's report). */
export function documentAsJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(documentAsJson);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(rowAsJson(value)).map(([key, inner]) => [key, documentAsJson(inner)]));
}
