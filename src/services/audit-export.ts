import { stringify } from 'csv-stringify/sync';
import type { Store } from '../store/store.js';
import { rowAsJson } from './row-json.js';

export type ExportFormat = 'jsonl' | 'csv';

const COLUMNS = ['seq', 'at', 'actor', 'action', 'subject_type', 'subject_id', 'resource', 'reason', 'details', 'prev_hash', 'hash'] as const;
const PAGE = 5_000;

/**
 * Writes the audit events of a time range, in chain order, page by page (a large history
 * never sits in memory). The hashes are included so an auditor can re-check the chain.
 */
export async function exportAudit(
  store: Pick<Store, 'listAuditEvents'>,
  range: { since: number; until: number },
  format: ExportFormat,
  write: (chunk: string) => void,
): Promise<number> {
  if (format === 'csv') write(stringify([COLUMNS]));
  let afterSeq = 0;
  let count = 0;
  for (;;) {
    const page = await store.listAuditEvents(range, afterSeq, PAGE);
    const last = page[page.length - 1];
    if (!last) return count;
    const events = page.map(rowAsJson);
    write(
      format === 'jsonl'
        ? events.map((e) => `${JSON.stringify(e)}\n`).join('')
        : stringify(events.map((e) => COLUMNS.map((c) => (c === 'details' ? JSON.stringify(e.details) : e[c])))),
    );
    count += page.length;
    afterSeq = last.seq;
  }
}
