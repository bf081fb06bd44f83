import { and, asc, eq, gt, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { LIVE_GRANT_STATUSES, UNENDED_GRANT_STATUSES, type RevokeReason } from '../../domain/states.js';
import type { Db } from './database.js';
import { equalsIfGiven, pageAfter } from './query.js';
import { grants, type GrantRow } from './schema.js';
import type { GrantFilter, GrantTimer } from '../store.js';

/** Owns the `grants` table. */
export type NewGrant = typeof grants.$inferInsert;

/** Not ended yet: set up, being set up, or whose setup failed. */
const unended = inArray(grants.status, [...UNENDED_GRANT_STATUSES]);
const live = inArray(grants.status, [...LIVE_GRANT_STATUSES]);

/**
 * The person's other active grants that have started, are not ending and outlast `now`: the ones that may
 * still give the access a revocation would take away (see GrantLifecycle).
 */
export async function outlastingGrantsOf(db: Db, userId: string, now: number, exceptId: string): Promise<{ id: string; resource: string }[]> {
  const rows = await db
    .select({ id: grants.id, resource: grants.resource })
    .from(grants)
    .where(and(eq(grants.userId, userId), eq(grants.status, 'active'), lte(grants.grantedAt, now), gt(grants.expiresAt, now), isNull(grants.endRequestedReason)));
  return rows.filter((g) => g.id !== exceptId);
}

export async function insertGrant(db: Db, grant: NewGrant): Promise<GrantRow> {
  const [row] = await db.insert(grants).values(grant).returning();
  if (!row) throw new Error(`grant ${grant.id} was not inserted`);
  return row;
}

export async function findGrant(db: Db, id: string): Promise<GrantRow | undefined> {
  const [row] = await db.select().from(grants).where(eq(grants.id, id));
  return row;
}

/** The person's grants that have not ended, set up or not (what `/request list` and App Home show). */
export async function activeGrantsOf(db: Db, userId: string): Promise<GrantRow[]> {
  return db
    .select()
    .from(grants)
    .where(and(eq(grants.userId, userId), unended))
    .orderBy(asc(grants.expiresAt));
}

export async function markProvisioned(db: Db, id: string, at: number): Promise<GrantRow | undefined> {
  const [row] = await db
    .update(grants)
    .set({ provisionedAt: at, provisionError: null })
    .where(and(eq(grants.id, id), eq(grants.status, 'active'), isNull(grants.provisionedAt)))
    .returning();
  return row;
}

/**
 * A failed setup attempt: its error kept; `final` (jitbot gives up) turns an active grant that was
 * never set up into `provision_failed`. Undefined when the grant is no longer waiting for its setup.
 */
export async function markProvisionFailed(db: Db, id: string, error: string, final: boolean): Promise<GrantRow | undefined> {
  const [row] = await db
    .update(grants)
    .set({ provisionError: error, ...(final ? { status: 'provision_failed' as const } : {}) })
    .where(and(eq(grants.id, id), eq(grants.status, 'active'), isNull(grants.provisionedAt)))
    .returning();
  return row;
}

/** Records that a grant must end now (release/revoke); undefined if it has ended or is ending. */
export async function requestEnd(db: Db, id: string, reason: RevokeReason, by: string, at: number): Promise<GrantRow | undefined> {
  const [row] = await db
    .update(grants)
    .set({ endRequestedReason: reason, endRequestedBy: by, endRequestedAt: at })
    .where(and(eq(grants.id, id), unended, isNull(grants.endRequestedReason)))
    .returning();
  return row;
}

/** The one transition to `revoked`; undefined when someone else already revoked it. */
export async function markRevoked(db: Db, id: string, reason: RevokeReason, by: string, at: number): Promise<GrantRow | undefined> {
  const [row] = await db
    .update(grants)
    .set({ status: 'revoked', revokeReason: reason, revokedBy: by, revokedAt: at, revokeError: null, revokeClaimedBy: null, revokeClaimUntil: null })
    .where(and(eq(grants.id, id), live))
    .returning();
  return row;
}

/** Takes the revocation claim if unclaimed, the holder's, or run out; the row when taken. */
export async function claimRevocation(db: Db, id: string, holder: string, until: number, now: number): Promise<GrantRow | undefined> {
  const [row] = await db
    .update(grants)
    .set({ revokeClaimedBy: holder, revokeClaimUntil: until })
    .where(and(eq(grants.id, id), live, or(isNull(grants.revokeClaimedBy), eq(grants.revokeClaimedBy, holder), lte(grants.revokeClaimUntil, now))))
    .returning();
  return row;
}

export async function releaseRevocationClaim(db: Db, id: string, holder: string): Promise<void> {
  await db.update(grants).set({ revokeClaimedBy: null, revokeClaimUntil: null }).where(and(eq(grants.id, id), eq(grants.revokeClaimedBy, holder)));
}

export async function markRevokeFailed(db: Db, id: string, error: string): Promise<GrantRow | undefined> {
  const [row] = await db
    .update(grants)
    .set({ status: 'revoke_failed', revokeError: error })
    .where(and(eq(grants.id, id), unended))
    .returning();
  return row;
}

export async function noteRevokeError(db: Db, id: string, error: string): Promise<void> {
  await db.update(grants).set({ revokeError: error }).where(eq(grants.id, id));
}

/** Grants whose access must end now: expired, asked to end, or failed earlier (three index-backed reads, as on SQLite). */
export async function grantsDueForRevocation(db: Db, now: number, limit: number): Promise<GrantRow[]> {
  const [expired, asked, failed] = await Promise.all([
    db.select().from(grants).where(and(unended, lte(grants.expiresAt, now))).limit(limit),
    db.select().from(grants).where(and(unended, isNotNull(grants.endRequestedReason))).limit(limit),
    db.select().from(grants).where(eq(grants.status, 'revoke_failed')).limit(limit),
  ]);
  const unique = new Map([...expired, ...asked, ...failed].map((g) => [g.id, g]));
  return [...unique.values()].slice(0, limit);
}

/**
 * Active grants granted before `grantedBefore`, still unexpired, never provisioned and with no
 * failed attempt on record: their provisioning job never reached Redis.
 */
export async function grantsNeverQueued(db: Db, grantedBefore: number, now: number, limit: number): Promise<GrantRow[]> {
  return db
    .select()
    .from(grants)
    .where(
      and(
        eq(grants.status, 'active'),
        gt(grants.expiresAt, now),
        lte(grants.grantedAt, grantedBefore),
        isNull(grants.provisionedAt),
        isNull(grants.provisionError),
        isNull(grants.endRequestedReason),
      ),
    )
    .limit(limit);
}

/** Everything the timers in Redis should cover, read in pages by expiry. */
export async function activeGrantTimers(db: Db, afterExpiresAt: number, afterId: string, limit: number): Promise<GrantTimer[]> {
  const rows = await db
    .select({ id: grants.id, status: grants.status, grantedAt: grants.grantedAt, expiresAt: grants.expiresAt, provisionedAt: grants.provisionedAt, warnedAt: grants.warnedAt })
    .from(grants)
    .where(and(unended, or(and(eq(grants.expiresAt, afterExpiresAt), gt(grants.id, afterId)), gt(grants.expiresAt, afterExpiresAt))))
    .orderBy(asc(grants.expiresAt), asc(grants.id))
    .limit(limit);
  return rows.map((g) => ({ id: g.id, grantedAt: g.grantedAt, expiresAt: g.expiresAt, provisioned: g.provisionedAt !== null || g.status === 'provision_failed', warned: g.warnedAt !== null }));
}

/** Grants whose access may still exist, as much of each as tells where its setup stands (what the metrics count). */
export async function liveGrantSetups(db: Db): Promise<Pick<GrantRow, 'status' | 'grantedAt' | 'provisionedAt' | 'provisionError'>[]> {
  return db
    .select({ status: grants.status, grantedAt: grants.grantedAt, provisionedAt: grants.provisionedAt, provisionError: grants.provisionError })
    .from(grants)
    .where(live);
}

/** The unended standing grant of an exception (the one with no request behind it). */
export async function activeStandingGrantsOf(db: Db, exceptionId: string): Promise<GrantRow[]> {
  return db
    .select()
    .from(grants)
    .where(and(eq(grants.exceptionId, exceptionId), isNull(grants.requestId), unended));
}

/** A page of grants by (granted_at, id), after the cursor. */
export async function listGrants(db: Db, filter: GrantFilter, after: { at: number; id: string } | undefined, limit: number): Promise<GrantRow[]> {
  return db
    .select()
    .from(grants)
    .where(
      and(
        equalsIfGiven(grants.userId, filter.userId),
        equalsIfGiven(grants.resource, filter.resource),
        equalsIfGiven(grants.status, filter.status),
        ...pageAfter(grants.grantedAt, grants.id, filter, after),
      ),
    )
    .orderBy(asc(grants.grantedAt), asc(grants.id))
    .limit(limit);
}

/**
 * Grants whose access may still exist (active or failing to revoke), on these resources or on
 * all: what the security review lists, and what drift detection compares a provisioner with.
 */
export async function liveGrants(db: Db, resources?: readonly string[]): Promise<GrantRow[]> {
  return db
    .select()
    .from(grants)
    .where(and(live, resources === undefined ? undefined : inArray(grants.resource, [...resources])))
    .orderBy(asc(grants.expiresAt), asc(grants.id));
}

/** Marks every unended grant in scope to end (an incident revoke-all), in one statement. */
export async function requestEndIn(db: Db, scope: { resource?: string | undefined; userId?: string | undefined }, by: string, at: number): Promise<GrantRow[]> {
  return db
    .update(grants)
    .set({ endRequestedReason: 'revoked', endRequestedBy: by, endRequestedAt: at })
    .where(and(unended, isNull(grants.endRequestedReason), equalsIfGiven(grants.resource, scope.resource), equalsIfGiven(grants.userId, scope.userId)))
    .returning();
}

/** Records the expiry warning once; undefined when already warned, ending or gone. */
export async function markWarned(db: Db, id: string, at: number): Promise<GrantRow | undefined> {
  const [row] = await db
    .update(grants)
    .set({ warnedAt: at })
    .where(and(eq(grants.id, id), eq(grants.status, 'active'), isNull(grants.endRequestedReason), isNull(grants.warnedAt)))
    .returning();
  return row;
}

/**
 * Moves the end of an active, not-ending, not yet expired grant `byMs` later, if it still ends
 * at `from` (nobody extended it meanwhile) and has been extended fewer than `maxExtensions` times.
 */
export async function extend(db: Db, change: { id: string; from: number; byMs: number; maxExtensions: number; at: number }): Promise<GrantRow | undefined> {
  const [row] = await db
    .update(grants)
    .set({ expiresAt: change.from + change.byMs, warnedAt: null, extensions: sql`${grants.extensions} + 1` })
    .where(
      and(
        eq(grants.id, change.id),
        eq(grants.status, 'active'),
        isNull(grants.endRequestedReason),
        lt(grants.extensions, change.maxExtensions),
        eq(grants.expiresAt, change.from),
        gt(grants.expiresAt, change.at),
      ),
    )
    .returning();
  return row;
}

/** Claims the one "revocation overdue" alert of a grant still ending; undefined when it was alerted already or has ended. */
export async function claimRevokeAlert(db: Db, id: string, at: number): Promise<GrantRow | undefined> {
  const [row] = await db
    .update(grants)
    .set({ revokeAlertedAt: at })
    .where(and(eq(grants.id, id), live, isNull(grants.revokeAlertedAt)))
    .returning();
  return row;
}

/** Where the revocation alert was posted, to update it when the revocation succeeds or becomes revoke_failed. */
export async function setRevokeAlertMessage(db: Db, id: string, channel: string, ts: string, at: number): Promise<void> {
  await db
    .update(grants)
    .set({ revokeAlertChannel: channel, revokeAlertTs: ts, revokeAlertedAt: sql`coalesce(${grants.revokeAlertedAt}, ${at}::bigint)` })
    .where(eq(grants.id, id));
}
