import { openDatabase } from '../../src/store/sqlite/database.js';
import { newId } from '../../src/store/ids.js';
import { createSqliteStore } from '../../src/store/sqlite/store.js';
import type { OpenDatabase } from '../../src/store/sqlite/database.js';

/**
 * Runs seeding as one SQLite commit: the store's own transactions nest inside as savepoints
 * (its bodies never await, so nothing else runs on the connection in between).
 */
export async function inOneCommit(database: OpenDatabase, seed: () => Promise<void>): Promise<void> {
  database.sqlite.exec('BEGIN IMMEDIATE');
  try {
    await seed();
    database.sqlite.exec('COMMIT');
  } catch (error) {
    database.sqlite.exec('ROLLBACK');
    throw error;
  }
}

/** AUDIT_HMAC_KEY of the bench's bots and of the stores that seed them. */
export const BENCH_AUDIT_KEY = 'bench-audit-hmac-key-0123456789abcdef';
export const APPROVER = 'U0LEAD1';
export const userId = (i: number) => `U0B${String(i % 200).padStart(5, '0')}`;

/**
 * Active, provisioned grants written through the store's own transactions (request created,
 * approved, provisioned: the same rows and audit events the bot writes), so the bot finds
 * them at start-up like grants approved before a restart. `expiresAt(i)` says when each ends.
 */
export async function seedGrants(databasePath: string, count: number, expiresAt: (i: number) => number, now = Date.now()): Promise<void> {
  const database = openDatabase(databasePath);
  const store = createSqliteStore(database, { auditKey: BENCH_AUDIT_KEY });
  const seedOne = async (i: number) => {
    const request = await store.createRequest({
      id: newId('req'),
      requesterId: userId(i),
      resource: 'prod-db',
      durationMs: Math.max(1, expiresAt(i) - now),
      reason: `bench INC-${i}`,
      policyVersion: 'bench',
      createdAt: now,
    });
    const outcome = await store.approve({
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
    await store.markProvisioned(outcome.grant.id, now);
  };
  try {
    // A thousand grants per commit.
    for (let start = 0; start < count; start += 1_000) {
      await inOneCommit(database, async () => {
        for (let i = start; i < Math.min(count, start + 1_000); i += 1) await seedOne(i);
      });
    }
  } finally {
    database.close();
  }
}

/** Open auto_approve exceptions on `vpn`, one per person. */
export async function seedExceptions(databasePath: string, count: number, endsAt: number, now = Date.now()): Promise<void> {
  const database = openDatabase(databasePath);
  const store = createSqliteStore(database, { auditKey: BENCH_AUDIT_KEY });
  try {
    for (let i = 0; i < count; i += 1) {
      const created = await store.createException({
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
      const opened = await store.openException({ id: created.exception.id, approverId: 'U0SEC1', at: now, newGrant: () => { throw new Error('auto_approve has no standing grant'); } });
      if (opened.kind !== 'opened') throw new Error(`seeding exception ${i}: ${opened.kind}`);
    }
  } finally {
    database.close();
  }
}

/** Lateness (revoked_at − expires_at, ms) of every revoked prod-db grant, and how many are not revoked. */
export function revocationLateness(databasePath: string): { lateness: number[]; notRevoked: number } {
  const database = openDatabase(databasePath);
  try {
    const rows = database.sqlite.prepare("select status, revoked_at - expires_at as late from grants where resource = 'prod-db' order by expires_at").all() as { status: string; late: number | null }[];
    return {
      lateness: rows.filter((r) => r.status === 'revoked' && r.late !== null).map((r) => r.late ?? 0),
      notRevoked: rows.filter((r) => r.status !== 'revoked').length,
    };
  } finally {
    database.close();
  }
}

/** Pending requests on prod-db from the bench's users, and people who have opened App Home. */
export async function seedPendingAndViewers(databasePath: string, pending: number, viewers: readonly string[], now = Date.now()): Promise<void> {
  const database = openDatabase(databasePath);
  const store = createSqliteStore(database, { auditKey: BENCH_AUDIT_KEY });
  try {
    await inOneCommit(database, async () => {
      for (let i = 0; i < pending; i += 1) {
        await store.createRequest({ id: newId('req'), requesterId: userId(i), resource: 'prod-db', durationMs: 1_800_000, reason: `bench INC-${i}`, policyVersion: 'bench', createdAt: now - i });
      }
      for (const viewer of viewers) await store.homeOpened(viewer, now);
    });
  } finally {
    database.close();
  }
}

const MINUTE = 60_000;
const EXPIRY_WARNING_MS = 10 * MINUTE; // the bench policy's expiry_warning (the default)

/**
 * The other timed steps, `count` of each, falling due at `dueAt(i)` like the revocations:
 * grant warnings, scheduled starts, escalations (wiki: after 1 m), lapses (pending_timeout
 * 24 h), break-glass reminders (an hour), exception reminders and exception closings. Each is
 * written as it would stand that long after it was asked, and tagged by its reason, so
 * `timedStepLateness` can tell the kinds apart.
 */
export async function seedTimedSteps(databasePath: string, count: number, dueAt: (i: number) => number, now = Date.now()): Promise<void> {
  const database = openDatabase(databasePath);
  const store = createSqliteStore(database, { auditKey: BENCH_AUDIT_KEY });
  const ask = async (kind: string, i: number, createdAt: number, durationMs = 3_600_000) =>
    await store.createRequest({ id: newId('req'), requesterId: userId(i), resource: 'wiki', durationMs, reason: `bench ${kind}`, policyVersion: 'bench', createdAt });
  const approve = async (request: Awaited<ReturnType<typeof ask>>, at: number, grantedAt: number, expiresAt: number) => {
    const outcome = await store.approve({
      requestId: request.id,
      approverId: APPROVER,
      at,
      stages: [{ approvers: [APPROVER], approvalsRequired: 1 }],
      approverStages: new Set([0]),
      selfApproval: false,
      maxExtensions: 2,
      newGrant: (approved) => ({ id: newId('grt'), requestId: approved.id, userId: approved.requesterId, resource: approved.resource, reason: approved.reason, grantedAt, expiresAt }),
    });
    if (outcome.kind !== 'approved') throw new Error(`seeding ${request.reason}: ${outcome.kind}`);
    return outcome.grant;
  };
  const openFor = async (kind: string, user: string, endsAt: number) => {
    const created = await store.createException({ id: newId('exc'), userId: user, resource: 'vpn', mode: 'auto_approve', durationMs: endsAt - now, reason: `bench ${kind}`, policyVersion: 'bench', createdAt: now });
    if (created.kind !== 'created') throw new Error(`seeding exception ${kind}: duplicate`);
    const opened = await store.openException({ id: created.exception.id, approverId: 'U0SEC1', at: now, newGrant: () => { throw new Error('auto_approve has no standing grant'); } });
    if (opened.kind !== 'opened') throw new Error(`seeding exception ${kind}: ${opened.kind}`);
  };
  try {
    await inOneCommit(database, async () => {
      for (let i = 0; i < count; i += 1) {
        const due = dueAt(i);
        await store.markProvisioned((await approve(await ask('warning', i, now), now, now, due + EXPIRY_WARNING_MS)).id, now);
        await approve(await ask('start', i, now), now, due, due + 3_600_000);
        await ask('escalation', i, due - MINUTE);
        await ask('lapse', i, due - 24 * 60 * MINUTE);
        const glass = await store.grantBreakGlass(
          { id: newId('req'), requesterId: userId(i), requesterEmail: null, resource: 'wiki', durationMs: 2 * 3_600_000, reason: 'bench break-glass', policyVersion: 'bench', createdAt: due - 60 * MINUTE },
          {},
          (approved) => ({ id: newId('grt'), requestId: approved.id, userId: approved.requesterId, resource: 'wiki', reason: approved.reason, grantedAt: due - 60 * MINUTE, expiresAt: due + 60 * MINUTE }),
        );
        await store.markProvisioned(glass.grant.id, now);
        await openFor('exception close', `U0C${String(i).padStart(6, '0')}`, due);
        await openFor('exception reminder', `U0R${String(i).padStart(6, '0')}`, due + EXPIRY_WARNING_MS);
      }
    });
  } finally {
    database.close();
  }
}

/** Per kind of timed step: how late each was (recorded − due, ms; negative is early) and how many have not happened. */
export function timedStepLateness(databasePath: string): { kind: string; lateness: number[]; notDone: number }[] {
  const database = openDatabase(databasePath);
  const kinds: [kind: string, sql: string][] = [
    ['revocation', "select revoked_at - expires_at from grants where resource = 'prod-db'"],
    ['grant warning', `select warned_at - (expires_at - ${EXPIRY_WARNING_MS}) from grants where reason = 'bench warning'`],
    ['scheduled start', "select provisioned_at - granted_at from grants where reason = 'bench start'"],
    ['escalation', `select escalated_at - (created_at + ${MINUTE}) from requests where reason = 'bench escalation'`],
    ['lapse', `select decided_at - (created_at + ${24 * 60 * MINUTE}) from requests where reason = 'bench lapse'`],
    ['break-glass reminder', `select reminded_at - (created_at + ${60 * MINUTE}) from break_glass_uses where reason = 'bench break-glass'`],
    ['exception reminder', `select warned_at - (ends_at - ${EXPIRY_WARNING_MS}) from exceptions where reason = 'bench exception reminder'`],
    ['exception close', "select closed_at - ends_at from exceptions where reason = 'bench exception close'"],
  ];
  try {
    return kinds.map(([kind, sql]) => {
      const values = database.sqlite.prepare(sql).pluck().all() as (number | null)[];
      const lateness = values.filter((v): v is number => v !== null);
      return { kind, lateness, notDone: values.length - lateness.length };
    });
  } finally {
    database.close();
  }
}
