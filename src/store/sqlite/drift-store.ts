import type { DriftFinding } from '../../domain/drift.js';
import { appendAudit } from './audit-log.js';
import type { Db } from './database.js';
import * as drift from './drift-findings.js';
import type { Transaction } from './database.js';
import * as grants from './grants.js';
import { newId } from '../ids.js';
import type { DriftFindingRow } from './schema.js';
import type { DriftSync } from '../store.js';

/** A missing access is about its grant; unmanaged access about whoever holds it. */
const subject = (f: DriftFindingRow) =>
  f.grantId !== null ? { subjectType: 'grant' as const, subjectId: f.grantId, resource: f.resource } : { subjectType: 'user' as const, subjectId: f.identity, resource: f.resource };

/** Drift findings, each change with its audit event. Part of the store (see store.ts). */
export function driftTransactions(db: Db, transaction: Transaction) {
  return {
    liveGrantsOn: async (resources: readonly string[]) => grants.liveGrants(db, resources),
    openDriftFindings: async () => drift.openFindings(db),
    markDriftAlerted: async (id: string, at: number) => drift.markAlerted(db, id, at),

    /** Records what one check of a target found: new findings, ones seen again, ones gone. */
    async syncDrift(input: { target: string; resource: string; findings: readonly DriftFinding[]; at: number }) {
      return transaction((tx) => {
        const open = drift.openFindingsFor(tx, input.target);
        const key = (f: { kind: string; identity: string }) => `${f.kind} ${f.identity}`;
        const now = new Set(input.findings.map(key));
        const known = new Map(open.map((f) => [key(f), f]));
        const result: DriftSync = { found: [], still: [], gone: [] };
        for (const finding of input.findings) {
          const existing = known.get(key(finding));
          if (existing) {
            drift.seenAgain(tx, existing.id, input.at);
            result.still.push(existing);
            continue;
          }
          const row = drift.insertFinding(tx, { id: newId('drf'), target: input.target, resource: input.resource, ...finding, foundAt: input.at, lastSeenAt: input.at });
          appendAudit(tx, { ...subject(row), at: input.at, actor: 'jitbot', action: `drift.${row.kind}`, details: { finding_id: row.id, target: row.target, identity: row.identity, user_id: row.userId } });
          result.found.push(row);
        }
        for (const finding of open.filter((f) => !now.has(key(f)))) {
          const row = drift.resolveFinding(tx, finding.id, 'gone', input.at);
          if (!row) continue;
          appendAudit(tx, { ...subject(row), at: input.at, actor: 'jitbot', action: 'drift.resolved', details: { finding_id: row.id, target: row.target, identity: row.identity, resolution: 'gone' } });
          result.gone.push(row);
        }
        return result;
      });
    },

    /** Unmanaged access that jitbot removed (`revoke_unmanaged`). */
    async driftRemoved(id: string, at: number) {
      return transaction((tx) => {
        const row = drift.resolveFinding(tx, id, 'revoked', at);
        if (row) appendAudit(tx, { ...subject(row), at, actor: 'jitbot', action: 'drift.revoked', details: { finding_id: row.id, target: row.target, identity: row.identity } });
        return row;
      });
    },
  };
}
