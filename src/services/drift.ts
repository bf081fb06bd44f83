import type { LoadedPolicy } from '../config/load-policy.js';
import type { Clock } from '../domain/clock.js';
import { compareAccess, type HeldGrant } from '../domain/drift.js';
import { targetOf, type Provisioner } from '../provisioners/provisioner.js';
import type { GrantRecord } from '../domain/records.js';
import type { Store } from '../store/store.js';
import { errorMessage } from '../error-message.js';
import type { Log, Notifier } from './ports.js';

export interface DriftCheckReport {
  targets: number;
  found: number;
  gone: number;
  removed: number;
  failed: number;
}

/**
 * Drift detection: for every provisioner that can read its state (`check`), compares who
 * holds the access with the live grants of every resource on that target. New findings are
 * recorded and alerted once; `revoke_unmanaged` removes access held without a grant.
 */
export function createDriftDetector(deps: {
  store: Pick<Store, 'liveGrantsOn' | 'syncDrift' | 'driftRemoved' | 'markDriftAlerted'>;
  provisioners: () => readonly [string, Provisioner][];
  policy: () => LoadedPolicy;
  notifier: Pick<Notifier, 'driftFound' | 'unmanagedRemoved'>;
  clock: Clock;
  log: Log;
}) {
  const { store, clock, log } = deps;

  /** Resources grouped by what their provisioner gives access to, for those that can be checked. */
  function targets(): { target: string; resources: string[]; provisioner: Provisioner }[] {
    const byTarget = new Map<string, { target: string; resources: string[]; provisioner: Provisioner }>();
    for (const [resource, provisioner] of deps.provisioners()) {
      if (!provisioner.check) continue;
      const target = targetOf(provisioner, resource);
      const entry = byTarget.get(target);
      if (entry) entry.resources.push(resource);
      else byTarget.set(target, { target, resources: [resource], provisioner });
    }
    return [...byTarget.values()];
  }

  async function checkTarget(entry: { target: string; resources: string[]; provisioner: Provisioner }, report: DriftCheckReport): Promise<void> {
    const { provisioner, target, resources } = entry;
    const check = provisioner.check;
    if (!check) return;
    const identify = (g: GrantRecord) => (provisioner.identify ?? ((u) => u.slack_id))({ slack_id: g.userId, email: g.userEmail });
    const held = (g: GrantRecord): HeldGrant => ({ id: g.id, userId: g.userId, identity: identify(g), status: g.status, provisionedAt: g.provisionedAt, endRequested: g.endRequestedReason !== null, expiresAt: g.expiresAt });

    const before = (await store.liveGrantsOn(resources)).map(held);
    let actual: readonly string[];
    try {
      actual = await check.call(provisioner);
    } catch (error) {
      report.failed += 1;
      log.warn({ target, err: error }, 'drift check could not read the provisioner; will try again');
      return;
    }
    const after = (await store.liveGrantsOn(resources)).map(held);
    const at = clock.now().toMillis();
    const findings = compareAccess({ actual, before, after, now: at });
    const [resource = target] = [...resources].sort();
    const sync = await store.syncDrift({ target, resource, findings, at });
    report.found += sync.found.length;
    report.gone += sync.gone.length;
    // Seen again but never alerted (the process stopped between recording and alerting): alerted now.
    for (const finding of [...sync.found, ...sync.still.filter((f) => f.alertedAt === null)]) {
      log.warn({ target, kind: finding.kind, identity: finding.identity, findingId: finding.id }, 'drift found');
      await deps.notifier.driftFound(finding);
      await store.markDriftAlerted(finding.id, clock.now().toMillis());
    }

    const policy = deps.policy().policy;
    const removeUnmanaged = provisioner.removeUnmanaged;
    if (!removeUnmanaged || !resources.some((r) => policy.resources[r]?.revoke_unmanaged)) return;
    for (const finding of [...sync.found, ...sync.still].filter((f) => f.kind === 'unmanaged')) {
      try {
        await removeUnmanaged.call(provisioner, finding.identity);
      } catch (error) {
        log.warn({ target, identity: finding.identity, err: errorMessage(error) }, 'could not remove unmanaged access; will try again');
        continue;
      }
      const removed = await store.driftRemoved(finding.id, clock.now().toMillis());
      if (removed) {
        report.removed += 1;
        await deps.notifier.unmanagedRemoved(removed);
      }
    }
  }

  return {
    /** One pass over every checkable target, one after another. */
    async checkAll(): Promise<DriftCheckReport> {
      const report: DriftCheckReport = { targets: 0, found: 0, gone: 0, removed: 0, failed: 0 };
      for (const entry of targets()) {
        report.targets += 1;
        await checkTarget(entry, report);
      }
      return report;
    },
  };
}

export type DriftDetector = ReturnType<typeof createDriftDetector>;
