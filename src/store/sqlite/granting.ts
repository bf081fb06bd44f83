import { appendAudit } from './audit-log.js';
import * as breakGlass from './break-glass.js';
import type { Db } from './database.js';
import * as grants from './grants.js';
import * as requests from './requests.js';
import type { GrantRow, RequestRow } from './schema.js';

/** The audit event of a new request, however it is then decided. */
export function requestCreated(tx: Db, row: RequestRow): void {
  appendAudit(tx, {
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
export function grantCreated(tx: Db, grant: GrantRow, actor: string, at: number): void {
  appendAudit(tx, {
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

/**
 * The audit event of a grant's end moved later: by its holder within policy, or by approvers
 * (`extra.request_id`); `break_glass: true` when the grant was a break-glass one.
 */
export function grantExtended(tx: Db, from: number, grant: GrantRow, actor: string, at: number, extra: Record<string, unknown> = {}): void {
  const emergency = breakGlass.findUse(tx, grant.id) ? { break_glass: true } : {};
  appendAudit(tx, {
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
export function grantAtOnce(
  tx: Db,
  request: requests.NewRequest & { createdAt: number },
  why: { reason: string; details: Record<string, unknown> },
  newGrant: (approved: RequestRow) => grants.NewGrant,
): { request: RequestRow; grant: GrantRow } {
  const at = request.createdAt;
  const row = requests.insertRequest(tx, { ...request, status: 'approved', decidedBy: 'jitbot', decidedAt: at });
  requestCreated(tx, row);
  appendAudit(tx, { at, actor: 'jitbot', action: 'request.approved', subjectType: 'request', subjectId: row.id, resource: row.resource, reason: why.reason, details: why.details });
  const grant = grants.insertGrant(tx, newGrant(row));
  grantCreated(tx, grant, 'jitbot', at);
  return { request: row, grant };
}
