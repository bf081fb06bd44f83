import { and, asc, eq, gt, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { LIVE_GRANT_STATUSES, UNENDED_GRANT_STATUSES, type RevokeReason } from '../../domain/states.js';
import { equalsIfGiven, pageAfter, param, preparedFor, type Db } from './database.js';
import { grants, type GrantRow } from './schema.js';
import type { GrantFilter, GrantTimer } from '../store.js';

/** Owns the `grants` table. */
export type NewGrant = typeof grants.$inferInsert;

const p = sql.placeholder;

/** Not ended yet: set up, being set up, or whose setup failed. */
const unended = inArray(grants.status, [...UNENDED_GRANT_STATUSES]);

/** The statements every approval, provisioning and revocation runs. */
const statements = preparedFor((db) => ({
  insert: db
    .insert(grants)
    .values({
      id: p('id'),
      requestId: p('requestId'),
      exceptionId: p('exceptionId'),
      userId: p('userId'),
      userEmail: p('userEmail'),
      resource: p('resource'),
      reason: p('reason'),
      grantedAt: p('grantedAt'),
      expiresAt: p('expiresAt'),
    })
    .returning()
    .prepare(),
  find: db.select().from(grants).where(eq(grants.id, sql.placeholder('id'))).prepare(),
  outlasting: db
    .select({ id: grants.id, resource: grants.resource })
    .from(grants)
    .where(and(eq(grants.userId, p('userId')), eq(grants.status, 'active'), lte(grants.grantedAt, p('now')), gt(grants.expiresAt, p('now')), isNull(grants.endRequestedReason)))
    .prepare(),
  markProvisioned: db
    .update(grants)
    .set({ provisionedAt: param('at'), provisionError: null })
    .where(and(eq(grants.id, sql.placeholder('id')), eq(grants.status, 'active'), isNull(grants.provisionedAt)))
    .returning()
    .prepare(),
  markRevoked: db
    .update(grants)
    .set({ status: 'revoked', revokeReason: param('reason'), revokedBy: param('by'), revokedAt: param('at'), revokeError: null, revokeClaimedBy: null, revokeClaimUntil: null })
    .where(and(eq(grants.id, sql.placeholder('id')), inArray(grants.status, [...LIVE_GRANT_STATUSES])))
    .returning()
    .prepare(),
}));

/**
 * The person's other active grants that have started, are not ending and outlast `now`: the ones that may
 * still give the access a revocation would take away (see GrantLifecycle). Runs on every
 * revocation, so it is prepared and reads two columns.
 */
export function outlastingGrantsOf(db: Db, userId: string, now: number, exceptId: string): { id: string; resource: string }[] {
  return statements(db).outlasting.all({ userId, now }).filter((g) => g.id !== exceptId);
}

export function insertGrant(db: Db, grant: NewGrant): GrantRow {
  const row = statements(db).insert.get({ requestId: null, exceptionId: null, userEmail: null, ...grant });
  if (!row) throw new Error(`grant ${grant.id} was not inserted`);
  return row;
}

export function findGrant(db: Db, id: string): GrantRow | undefined {
  return statements(db).find.get({ id });
}

/** The person's grants that have not ended, set up or not (what `/request list` and App Home show). */
export function activeGrantsOf(db: Db, userId: string): GrantRow[] {
  return db
    .select()
    .from(grants)
    .where(and(eq(grants.userId, userId), unended))
    .orderBy(asc(grants.expiresAt), asc(grants.id))
    .all();
}

export function markProvisioned(db: Db, id: string, at: number): GrantRow | undefined {
  return statements(db).markProvisioned.get({ id, at });
}

/**
 * A failed setup attempt: its error kept; `final` (jitbot gives up) turns an active grant that was
 * never set up into `provision_failed`. Undefined when the grant is no longer waiting for its setup.
 */
export function markProvisionFailed(db: Db, id: string, error: string, final: boolean): GrantRow | undefined {
  return db
    .update(grants)
    .set({ provisionError: error, ...(final ? { status: 'provision_failed' as const } : {}) })
    .where(and(eq(grants.id, id), eq(grants.status, 'active'), isNull(grants.provisionedAt)))
    .returning()
    .get();
}

/** Records that a grant must end now (release/revoke); undefined if it has ended or is ending. */
export function requestEnd(db: Db, id: string, reason: RevokeReason, by: string, at: number): GrantRow | undefined {
  return db
    .update(grants)
    .set({ endRequestedReason: reason, endRequestedBy: by, endRequestedAt: at })
    .where(and(eq(grants.id, id), unended, isNull(grants.endRequestedReason)))
    .returning()
    .get();
}

/** The one transition to `revoked`; undefined when someone else already revoked it. */
export function markRevoked(db: Db, id: string, reason: RevokeReason, by: string, at: number): GrantRow | undefined {
  return statements(db).markRevoked.get({ id, reason, by, at });
}

export function markRevokeFailed(db: Db, id: string, error: string): GrantRow | undefined {
  return db
    .update(grants)
    .set({ status: 'revoke_failed', revokeError: error })
    .where(and(eq(grants.id, id), unended))
    .returning()
    .get();
}

/** Takes the revocation claim if unclaimed, the holder's, or run out; the row when taken. */
export function claimRevocation(db: Db, id: string, holder: string, until: number, now: number): GrantRow | undefined {
  return db
    .update(grants)
    .set({ revokeClaimedBy: holder, revokeClaimUntil: until })
    .where(and(eq(grants.id, id), inArray(grants.status, [...LIVE_GRANT_STATUSES]), or(isNull(grants.revokeClaimedBy), eq(grants.revokeClaimedBy, holder), lte(grants.revokeClaimUntil, now))))
    .returning()
    .get();
}

export function releaseRevocationClaim(db: Db, id: string, holder: string): void {
  db.update(grants).set({ revokeClaimedBy: null, revokeClaimUntil: null }).where(and(eq(grants.id, id), eq(grants.revokeClaimedBy, holder))).run();
}

export function noteRevokeError(db: Db, id: string, error: string): void {
  db.update(grants).set({ revokeError: error }).where(eq(grants.id, id)).run();
}

/**
 * Grants whose access must end now: expired, asked to end, or failed earlier. Three
 * index-backed reads rather than one OR, which SQLite would answer by scanning every active grant.
 */
export function grantsDueForRevocation(db: Db, now: number, limit: number): GrantRow[] {
  const expired = db.select().from(grants).where(and(unended, lte(grants.expiresAt, now))).limit(limit).all();
  const asked = db.select().from(grants).where(and(unended, isNotNull(grants.endRequestedReason))).limit(limit).all();
  const failed = db.select().from(grants).where(eq(grants.status, 'revoke_failed')).limit(limit).all();
  const unique = new Map([...expired, ...asked, ...failed].map((g) => [g.id, g]));
  return [...unique.values()].slice(0, limit);
}

/**
 * Active grants granted before `grantedBefore`, still unexpired, never provisioned and with no
 * failed attempt on record: their provisioning job never reached Redis.
 */
export function grantsNeverQueued(db: Db, grantedBefore: number, now: number, limit: number): GrantRow[] {
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
    .limit(limit)
    .all();
}

/** Everything the timers in Redis should cover, read in pages by expiry. */
export function activeGrantTimers(db: Db, afterExpiresAt: number, afterId: string, limit: number): GrantTimer[] {
  return db
    .select({ id: grants.id, status: grants.status, grantedAt: grants.grantedAt, expiresAt: grants.expiresAt, provisionedAt: grants.provisionedAt, warnedAt: grants.warnedAt })
    .from(grants)
    .where(
      and(
        unended,
        or(
          and(eq(grants.expiresAt, afterExpiresAt), gt(grants.id, afterId)),
          gt(grants.expiresAt, afterExpiresAt),
        ),
      ),
    )
    .orderBy(asc(grants.expiresAt), asc(grants.id))
    .limit(limit)
    .all()
    .map((g) => ({ id: g.id, grantedAt: g.grantedAt, expiresAt: g.expiresAt, provisioned: g.provisionedAt !== null || g.status === 'provision_failed', warned: g.warnedAt !== null }));
}

/** Grants whose access may still exist, as much of each as tells where its setup stands (what the metrics count). */
export function liveGrantSetups(db: Db): Pick<GrantRow, 'status' | 'grantedAt' | 'provisionedAt' | 'provisionError'>[] {
  return db
    .select({ status: grants.status, grantedAt: grants.grantedAt, provisionedAt: grants.provisionedAt, provisionError: grants.provisionError })
    .from(grants)
    .where(inArray(grants.status, [...LIVE_GRANT_STATUSES]))
    .all();
}

/** The unended standing grant of an exception (the one with no request behind it). */
export function activeStandingGrantsOf(db: Db, exceptionId: string): GrantRow[] {
  return db
    .select()
    .from(grants)
    .where(and(eq(grants.exceptionId, exceptionId), isNull(grants.requestId), unended))
    .all();
}

/** A page of grants by (granted_at, id), after the cursor. */
export function listGrants(db: Db, filter: GrantFilter, after: { at: number; id: string } | undefined, limit: number): GrantRow[] {
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
    .limit(limit)
    .all();
}

/**
 * Grants whose access may still exist (active or failing to revoke), on these resources or on
 * all: what the security review lists, and what drift detection compares a provisioner with.
 */
export function liveGrants(db: Db, resources?: readonly string[]): GrantRow[] {
  return db
    .select()
    .from(grants)
    .where(and(inArray(grants.status, [...LIVE_GRANT_STATUSES]), resources === undefined ? undefined : inArray(grants.resource, [...resources])))
    .orderBy(asc(grants.expiresAt), asc(grants.id))
    .all();
}

/** Marks every unended grant in scope to end (an incident revoke-all), in one statement. */
export function requestEndIn(db: Db, scope: { resource?: string | undefined; userId?: string | undefined }, by: string, at: number): GrantRow[] {
  return db
    .update(grants)
    .set({ endRequestedReason: 'revoked', endRequestedBy: by, endRequestedAt: at })
    .where(and(unended, isNull(grants.endRequestedReason), equalsIfGiven(grants.resource, scope.resource), equalsIfGiven(grants.userId, scope.userId)))
    .returning()
    .all();
}

/** Records the expiry warning once; undefined when already warned, ending or gone. */
export function markWarned(db: Db, id: string, at: number): GrantRow | undefined {
  return db
    .update(grants)
    .set({ warnedAt: at })
    .where(and(eq(grants.id, id), eq(grants.status, 'active'), isNull(grants.endRequestedReason), isNull(grants.warnedAt)))
    .returning()
    .get();
}

/**
 * Moves the end of an active, not-ending, not yet expired grant `byMs` later, if it still ends
 * at `from` (nobody extended it meanwhile) and has been extended fewer than `maxExtensions` times.
 */
export function extend(db: Db, change: { id: string; from: number; byMs: number; maxExtensions: number; at: number }): GrantRow | undefined {
  return db
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
    .returning()
    .get();
}

/** Claims the one "revocation overdue" alert of a grant still ending; undefined when it was alerted already or has ended. */
export function claimRevokeAlert(db: Db, id: string, at: number): GrantRow | undefined {
  return db
    .update(grants)
    .set({ revokeAlertedAt: at })
    .where(and(eq(grants.id, id), inArray(grants.status, [...LIVE_GRANT_STATUSES]), isNull(grants.revokeAlertedAt)))
    .returning()
    .get();
}

/** Where the revocation alert was posted, to update it when the revocation succeeds or becomes revoke_failed. */
export function setRevokeAlertMessage(db: Db, id: string, channel: string, ts: string, at: number): void {
  db.update(grants)
    .set({ revokeAlertChannel: channel, revokeAlertTs: ts, revokeAlertedAt: sql`coalesce(${grants.revokeAlertedAt}, ${at})` })
    .where(eq(grants.id, id))
    .run();
}
