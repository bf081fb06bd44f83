import type { AuditKey } from '../../domain/audit-chain.js';
import { appendAudit } from './audit-log.js';
import type { Db, Transaction } from './database.js';
import * as drift from './drift-findings.js';
import * as grants from './grants.js';
import { newId } from '../ids.js';
import type { DriftFindingRow } from './schema.js';
import type { DriftSync, Store } from '../store.js';

/** A missing access is about its grant; unmanaged access about whoever holds it. */
const subject = (f: DriftFindingRow) =>
  f.grantId !== null ? { subjectType: 'grant' as const, subjectId: f.grantId, resource: f.resource } : { subjectType: 'user' as const, subjectId: f.identity, resource: f.resource };

type DriftMethods = Pick<Store, 'liveGrantsOn' | 'openDriftFindings' | 'markDriftAlerted' | 'syncDrift' | 'driftRemoved'>;

/** Drift findings, each change with its audit event. Part of the store (see store.ts). */
export function driftTransactions(db: Db, transaction: Transaction, key: AuditKey): DriftMethods {
  return {
    liveGrantsOn: (resources) => grants.liveGrants(db, resources),
    openDriftFindings: () => drift.openFindings(db),
    markDriftAlerted: (id, at) => drift.markAlerted(db, id, at),

    /** Records what one check of a target found: new findings, ones seen again, ones gone. */
    syncDrift: (input) =>
      transaction(async (tx) => {
        const open = await drift.openFindingsFor(tx, input.target);
        const findingKey = (f: { kind: string; identity: string }) => `${f.kind} ${f.identity}`;
        const now = new Set(input.findings.map(findingKey));
        const known = new Map(open.map((f) => [findingKey(f), f]));
        const result: DriftSync = { found: [], still: [], gone: [] };
        for (const finding of input.findings) {
          const existing = known.get(findingKey(finding));
          if (existing) {
            await drift.seenAgain(tx, existing.id, input.at);
            result.still.push(existing);
            continue;
          }
          const row = await drift.insertFinding(tx, { id: newId('drf'), target: input.target, resource: input.resource, ...finding, foundAt: input.at, lastSeenAt: input.at });
          await appendAudit(tx, key, { ...subject(row), at: input.at, actor: 'jitbot', action: `drift.${row.kind}`, details: { finding_id: row.id, target: row.target, identity: row.identity, user_id: row.userId } });
          result.found.push(row);
        }
        for (const finding of open.filter((f) => !now.has(findingKey(f)))) {
          const row = await drift.resolveFinding(tx, finding.id, 'gone', input.at);
          if (!row) continue;
          await appendAudit(tx, key, { ...subject(row), at: input.at, actor: 'jitbot', action: 'drift.resolved', details: { finding_id: row.id, target: row.target, identity: row.identity, resolution: 'gone' } });
          result.gone.push(row);
        }
        return result;
      }),

    /** Unmanaged access that jitbot removed (`revoke_unmanaged`). */
    driftRemoved: (id, at) =>
      transaction(async (tx) => {
        const row = await drift.resolveFinding(tx, id, 'revoked', at);
        if (row) await appendAudit(tx, key, { ...subject(row), at, actor: 'jitbot', action: 'drift.revoked', details: { finding_id: row.id, target: row.target, identity: row.identity } });
        return row;
      }),
  };
}
