import { openDatabase } from '../../src/store/database.js';
import { newId } from '../../src/store/ids.js';
import { createStore } from '../../src/store/store.js';

/** AUDIT_HMAC_KEY of the bench's bots and of the stores that seed them. */
export const BENCH_AUDIT_KEY = 'bench-audit-hmac-key-0123456789abcdef';
export const APPROVER = 'U0LEAD1';
export const userId = (i: number) => `U0B${String(i % 200).padStart(5, '0')}`;

/**
 * Active, provisioned grants written through the store's own transactions (request created,
 * approved, provisioned: the same rows and audit events the bot writes), so the bot finds
 * them at start-up like grants approved before a restart. `expiresAt(i)` says when each ends.
 */
export function seedGrants(databasePath: string, count: number, expiresAt: (i: number) => number, now = Date.now()): void {
  const database = openDatabase(databasePath);
  const store = createStore(database, { auditKey: BENCH_AUDIT_KEY });
  const seedOne = (i: number) => {
    const request = store.createRequest({
      id: newId('req'),
      requesterId: userId(i),
      resource: 'prod-db',
      durationMs: Math.max(1, expiresAt(i) - now),
      reason: `bench INC-${i}`,
      policyVersion: 'bench',
      createdAt: now,
    });
    const outcome = store.approve({
      requestId: request.id,
      approverId: APPROVER,
      at: now,
      stages: [{ approvers: [APPROVER], approvalsRequired: 1 }],
      approverStages: new Set([0]),
      selfApproval: false,
      maxExtensions: 2,
      newGrant: (approved) => ({
        id: newId('grt'),
        requestId: approved.id,
        userId: approved.requesterId,
        resource: approved.resource,
        reason: approved.reason,
        grantedAt: now,
        expiresAt: expiresAt(i),
      }),
    });
    if (outcome.kind !== 'approved') throw new Error(`seeding grant ${i}: ${outcome.kind}`);
    store.markProvisioned(outcome.grant.id, now);
  };
  try {
    // A thousand grants per commit: the store's own transactions nest inside as savepoints.
    for (let start = 0; start < count; start += 1_000) {
      database.db.transaction(() => {
        for (let i = start; i < Math.min(count, start + 1_000); i += 1) seedOne(i);
      });
    }
  } finally {
    database.close();
  }
}

/** Open auto_approve exceptions on `vpn`, one per person. */
export function seedExceptions(databasePath: string, count: number, endsAt: number, now = Date.now()): void {
  const database = openDatabase(databasePath);
  const store = createStore(database, { auditKey: BENCH_AUDIT_KEY });
  try {
    for (let i = 0; i < count; i += 1) {
      const created = store.createException({
        id: newId('exc'),
        userId: `U0E${String(i).padStart(6, '0')}`,
        resource: 'vpn',
        mode: 'auto_approve',
        durationMs: endsAt - now,
        reason: 'bench exception',
        policyVersion: 'bench',
        createdAt: now,
      });
      if (created.kind !== 'created') throw new Error('seeding exception: duplicate');
      const opened = store.openException({ id: created.exception.id, approverId: 'U0SEC1', at: now, newGrant: () => { throw new Error('auto_approve has no standing grant'); } });
      if (opened.kind !== 'opened') throw new Error(`seeding exception ${i}: ${opened.kind}`);
    }
  } finally {
    database.close();
  }
}

/** Lateness (revoked_at − expires_at, ms) of every revoked grant, and how many are not revoked. */
export function revocationLateness(databasePath: string): { lateness: number[]; notRevoked: number } {
  const database = openDatabase(databasePath);
  try {
    const rows = database.sqlite.prepare('select status, revoked_at - expires_at as late from grants order by expires_at').all() as { status: string; late: number | null }[];
    return {
      lateness: rows.filter((r) => r.status === 'revoked' && r.late !== null).map((r) => r.late ?? 0),
      notRevoked: rows.filter((r) => r.status !== 'revoked').length,
    };
  } finally {
    database.close();
  }
}

/** Pending requests on prod-db from the bench's users, and people who have opened App Home. */
export function seedPendingAndViewers(databasePath: string, pending: number, viewers: readonly string[], now = Date.now()): void {
  const database = openDatabase(databasePath);
  const store = createStore(database, { auditKey: BENCH_AUDIT_KEY });
  try {
    database.db.transaction(() => {
      for (let i = 0; i < pending; i += 1) {
        store.createRequest({ id: newId('req'), requesterId: userId(i), resource: 'prod-db', durationMs: 1_800_000, reason: `bench INC-${i}`, policyVersion: 'bench', createdAt: now - i });
      }
      for (const viewer of viewers) store.homeOpened(viewer, now);
    });
  } finally {
    database.close();
  }
}
