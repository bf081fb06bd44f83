import { stringify } from 'csv-stringify/sync';
import type { AuditRow } from '../store/schema.js';
import type { Store } from '../store/store.js';

export type ExportFormat = 'jsonl' | 'csv';

const COLUMNS = ['seq', 'at', 'actor', 'action', 'subject_type', 'subject_id', 'resource', 'reason', 'details', 'prev_hash', 'hash'] as const;
const PAGE = 5_000;

/** One event as exported and streamed: snake_case, ISO time, details as parsed JSON (a JSON string in CSV). */
export function auditEventJson(row: AuditRow) {
  return {
    seq: row.seq,
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action,
    subject_type: row.subjectType,
    subject_id: row.subjectId,
    resource: row.resource,
    reason: row.reason,
    details: JSON.parse(row.details) as unknown,
    prev_hash: row.prevHash,
    hash: row.hash,
  };
}

/**
 * Writes the audit events of a time range, in chain order, page by page (a large history
 * never sits in memory). The hashes are included so an auditor can re-check the chain.
 */
export function exportAudit(
  store: Pick<Store, 'auditEventsBetween'>,
  range: { since: number; until: number },
  format: ExportFormat,
  write: (chunk: string) => void,
): number {
  if (format === 'csv') write(stringify([COLUMNS]));
  let afterSeq = 0;
  let count = 0;
  for (;;) {
    const page = store.auditEventsBetween(range, afterSeq, PAGE);
    const last = page[page.length - 1];
    if (!last) return count;
    const events = page.map(auditEventJson);
    write(
      format === 'jsonl'
        ? events.map((e) => `${JSON.stringify(e)}\n`).join('')
        : stringify(events.map((e) => COLUMNS.map((c) => (c === 'details' ? JSON.stringify(e.details) : e[c])))),
    );
    count += page.length;
    afterSeq = last.seq;
  }
}
