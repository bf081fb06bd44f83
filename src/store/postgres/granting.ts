import { eq } from 'drizzle-orm';
import type { AuditKey } from '../../domain/audit-chain.js';
import { appendAudit } from './audit-log.js';
import type { Db } from './database.js';
import * as grants from './grants.js';
import * as requests from './requests.js';
import { breakGlassUses, type GrantRow, type RequestRow } from './schema.js';

/**
 * The audit events every way of granting shares, and granting without approvers. Each runs
 * inside the caller's write transaction (transaction.ts) and takes the audit key the chain is
 * keyed with as its second argument, as appendAudit does.
 */

/** The audit event of a new request, however it is then decided. */
export async function requestCreated(tx: Db, key: AuditKey, row: RequestRow): Promise<void> {
  await appendAudit(tx, key, {
    at: row.createdAt,
    actor: row.requesterId,
    action: 'request.created',
    subjectType: 'request',
    subjectId: row.id,
    resource: row.resource,
    reason: row.reason,
    details: {
      duration_ms: row.durationMs,
      policy_version: row.policyVersion,
      ...(row.startsAt === null ? {} : { starts_at: row.startsAt }),
      ...(row.extendsGrantId === null ? {} : { extends_grant_id: row.extendsGrantId }),
    },
  });
}

/** The audit event of a new grant, however it was made (approval, exception, standing, break-glass). */
export async function grantCreated(tx: Db, key: AuditKey, grant: GrantRow, actor: string, at: number): Promise<void> {
  await appendAudit(tx, key, {
    at,
    actor,
    action: 'grant.created',
    subjectType: 'grant',
    subjectId: grant.id,
    resource: grant.resource,
    reason: grant.reason,
    details: { request_id: grant.requestId, exception_id: grant.exceptionId, user_id: grant.userId, granted_at: grant.grantedAt, expires_at: grant.expiresAt },
  });
}

async function isBreakGlass(tx: Db, grantId: string): Promise<boolean> {
  const [use] = await tx.select({ grantId: breakGlassUses.grantId }).from(breakGlassUses).where(eq(breakGlassUses.grantId, grantId));
  return use !== undefined;
}

/**
 * The audit event of a grant's end moved later: by its holder within policy, or by approvers
 * (`extra.request_id`); `break_glass: true` when the grant was a break-glass one.
 */
export async function grantExtended(tx: Db, key: AuditKey, from: number, grant: GrantRow, actor: string, at: number, extra: Record<string, unknown> = {}): Promise<void> {
  const emergency = (await isBreakGlass(tx, grant.id)) ? { break_glass: true } : {};
  await appendAudit(tx, key, {
    at,
    actor,
    action: 'grant.extended',
    subjectType: 'grant',
    subjectId: grant.id,
    resource: grant.resource,
    details: { from, to: grant.expiresAt, extensions: grant.extensions, ...extra, ...emergency },
  });
}

/**
 * A request granted without approvers (an open auto_approve exception, break-glass): the
 * request is written approved by `jitbot`, with why, and its grant made, inside the caller's
 * transaction.
 */
export async function grantAtOnce(
  tx: Db,
  key: AuditKey,
  request: requests.NewRequest & { createdAt: number },
  why: { reason: string; details: Record<string, unknown> },
  newGrant: (approved: RequestRow) => grants.NewGrant,
): Promise<{ request: RequestRow; grant: GrantRow }> {
  const at = request.createdAt;
  const row = await requests.insertRequest(tx, { ...request, status: 'approved', decidedBy: 'jitbot', decidedAt: at });
  await requestCreated(tx, key, row);
  await appendAudit(tx, key, { at, actor: 'jitbot', action: 'request.approved', subjectType: 'request', subjectId: row.id, resource: row.resource, reason: why.reason, details: why.details });
  const grant = await grants.insertGrant(tx, newGrant(row));
  await grantCreated(tx, key, grant, 'jitbot', at);
  return { request: row, grant };
}
