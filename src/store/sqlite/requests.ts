import { and, asc, eq, gte, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { PendingCounts } from '../../domain/access-rules.js';
import type { RequestStatus } from '../../domain/states.js';
import { equalsIfGiven, pageAfter, param, preparedFor, type Db } from './database.js';
import { requestApprovals, requests, type RequestApprovalRow, type RequestRow } from './schema.js';
import type { PendingKind, RequestFilter } from '../store.js';

/** Owns the `requests` and `request_approvals` tables. */
export type NewRequest = typeof requests.$inferInsert;

const p = sql.placeholder;

/** What every /request and every approval runs. */
const statements = preparedFor((db) => ({
  insert: db
    .insert(requests)
    .values({
      id: p('id'),
      requesterId: p('requesterId'),
      requesterEmail: p('requesterEmail'),
      resource: p('resource'),
      durationMs: p('durationMs'),
      reason: p('reason'),
      status: p('status'),
      policyVersion: p('policyVersion'),
      createdAt: p('createdAt'),
      decidedAt: p('decidedAt'),
      decidedBy: p('decidedBy'),
      startsAt: p('startsAt'),
      extendsGrantId: p('extendsGrantId'),
    })
    .returning()
    .prepare(),
  find: db.select().from(requests).where(eq(requests.id, p('id'))).prepare(),
  closePending: db
    .update(requests)
    .set({ status: param('to'), decidedBy: param('by'), decidedAt: param('at') })
    .where(and(eq(requests.id, p('id')), eq(requests.status, 'pending')))
    .returning()
    .prepare(),
  setApprovalMessage: db.update(requests).set({ approvalChannel: param('channel'), approvalTs: param('ts') }).where(eq(requests.id, p('id'))).prepare(),
  approvals: db.select().from(requestApprovals).where(eq(requestApprovals.requestId, p('requestId'))).prepare(),
  insertApproval: db
    .insert(requestApprovals)
    .values({ requestId: p('requestId'), approverId: p('approverId'), stage: p('stage'), approvedAt: p('approvedAt') })
    .onConflictDoNothing()
    .returning()
    .prepare(),
}));

export function insertRequest(db: Db, request: NewRequest): RequestRow {
  const row = statements(db).insert.get({ requesterEmail: null, status: 'pending', decidedAt: null, decidedBy: null, startsAt: null, extendsGrantId: null, ...request });
  if (!row) throw new Error(`request ${request.id} was not inserted`);
  return row;
}

/** The pending request to extend this grant, if someone asked for one. */
export function pendingExtensionOf(db: Db, grantId: string): RequestRow | undefined {
  return db.select().from(requests).where(and(eq(requests.extendsGrantId, grantId), eq(requests.status, 'pending'))).get();
}

export function findRequest(db: Db, id: string): RequestRow | undefined {
  return statements(db).find.get({ id });
}

/** Moves a pending request on; returns undefined when it was no longer pending (the race's loser). */
export function closePendingRequest(
  db: Db,
  id: string,
  to: Exclude<RequestStatus, 'pending'>,
  by: string,
  at: number,
): RequestRow | undefined {
  return statements(db).closePending.get({ id, to, by, at });
}

export function setApprovalMessage(db: Db, id: string, channel: string, ts: string): void {
  statements(db).setApprovalMessage.run({ id, channel, ts });
}

export function pendingRequestsOf(db: Db, userId: string): RequestRow[] {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.requesterId, userId), eq(requests.status, 'pending')))
    .orderBy(asc(requests.createdAt), asc(requests.id))
    .all();
}

/** Every kind of request pending now: few (resources × policy versions), however many requests. */
export function pendingKinds(db: Db): PendingKind[] {
  return db
    .selectDistinct({ policyVersion: requests.policyVersion, resource: requests.resource, escalated: sql<number>`${requests.escalatedAt} is not null` })
    .from(requests)
    .where(eq(requests.status, 'pending'))
    .all()
    .map((kind) => ({ ...kind, escalated: kind.escalated === 1 }));
}

/** The pending requests of one kind, oldest first, each with the approvals recorded on it so far. */
export function pendingOfKind(db: Db, kind: PendingKind): { request: RequestRow; approvals: RequestApprovalRow[] }[] {
  const ofKind = and(
    eq(requests.status, 'pending'),
    eq(requests.resource, kind.resource),
    eq(requests.policyVersion, kind.policyVersion),
    kind.escalated ? isNotNull(requests.escalatedAt) : isNull(requests.escalatedAt),
  );
  const approvals = new Map<string, RequestApprovalRow[]>();
  for (const { approval } of db.select({ approval: requestApprovals }).from(requestApprovals).innerJoin(requests, eq(requests.id, requestApprovals.requestId)).where(ofKind).all()) {
    const recorded = approvals.get(approval.requestId);
    if (recorded) recorded.push(approval);
    else approvals.set(approval.requestId, [approval]);
  }
  return db
    .select()
    .from(requests)
    .where(ofKind)
    .orderBy(asc(requests.createdAt), asc(requests.id))
    .all()
    .map((request) => ({ request, approvals: approvals.get(request.id) ?? [] }));
}

/** How many requests this person has pending: on this resource, and in all (extension requests included). */
export function pendingCounts(db: Db, userId: string, resource: string): PendingCounts {
  const row = db
    .select({ inAll: sql<number>`count(*)`, onResource: sql<number>`coalesce(sum(${requests.resource} = ${resource}), 0)` })
    .from(requests)
    .where(and(eq(requests.requesterId, userId), eq(requests.status, 'pending')))
    .get();
  return { inAll: row?.inAll ?? 0, onResource: row?.onResource ?? 0 };
}

export function pendingWithoutApprovalMessage(db: Db, createdBefore: number, limit: number): RequestRow[] {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.status, 'pending'), isNull(requests.approvalTs), lt(requests.createdAt, createdBefore)))
    .limit(limit)
    .all();
}

/** Marks a pending, not yet escalated request as escalated; undefined when it is neither. */
export function markEscalated(db: Db, id: string, at: number): RequestRow | undefined {
  return db
    .update(requests)
    .set({ escalatedAt: at })
    .where(and(eq(requests.id, id), eq(requests.status, 'pending'), isNull(requests.escalatedAt)))
    .returning()
    .get();
}

/** Pending requests for a resource, asked before `createdBefore` and not escalated: escalations a timer may have lost. */
export function dueForEscalation(db: Db, resource: string, createdBefore: number, limit: number): RequestRow[] {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.status, 'pending'), eq(requests.resource, resource), isNull(requests.escalatedAt), lt(requests.createdAt, createdBefore)))
    .orderBy(asc(requests.createdAt))
    .limit(limit)
    .all();
}

/** Pending requests, read in pages by (created_at, id): what their lapse and escalation timers should cover. */
export function pendingRequestTimers(db: Db, afterCreatedAt: number, afterId: string, limit: number): RequestRow[] {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.status, 'pending'), ...pageAfter(requests.createdAt, requests.id, {}, { at: afterCreatedAt, id: afterId })))
    .orderBy(asc(requests.createdAt), asc(requests.id))
    .limit(limit)
    .all();
}

/** Pending requests asked before `createdBefore`, oldest first: those past `pending_timeout`. */
export function pendingCreatedBefore(db: Db, createdBefore: number, limit: number): RequestRow[] {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.status, 'pending'), lt(requests.createdAt, createdBefore)))
    .orderBy(asc(requests.createdAt))
    .limit(limit)
    .all();
}

export function approvalsOf(db: Db, requestId: string) {
  return statements(db).approvals.all({ requestId });
}

/** False when this person already approved this request (the primary key says so). */
export function insertApproval(db: Db, requestId: string, approverId: string, stage: number, at: number): boolean {
  return statements(db).insertApproval.all({ requestId, approverId, stage, approvedAt: at }).length === 1;
}

/** A page of requests by (created_at, id), after the cursor. */
export function listRequests(db: Db, filter: RequestFilter, after: { at: number; id: string } | undefined, limit: number): RequestRow[] {
  return db
    .select()
    .from(requests)
    .where(
      and(
        equalsIfGiven(requests.requesterId, filter.userId),
        equalsIfGiven(requests.resource, filter.resource),
        equalsIfGiven(requests.status, filter.status),
        ...pageAfter(requests.createdAt, requests.id, filter, after),
      ),
    )
    .orderBy(asc(requests.createdAt), asc(requests.id))
    .limit(limit)
    .all();
}

/** Requests asked since `since`, oldest first, for the security review. */
export function requestsSince(db: Db, since: number): RequestRow[] {
  return db.select().from(requests).where(gte(requests.createdAt, since)).orderBy(asc(requests.createdAt), asc(requests.id)).all();
}
