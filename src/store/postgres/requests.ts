import { and, asc, eq, gte, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { PendingCounts } from '../../domain/access-rules.js';
import type { RequestStatus } from '../../domain/states.js';
import type { Db } from './database.js';
import { equalsIfGiven, pageAfter } from './query.js';
import { requestApprovals, requests, type RequestApprovalRow, type RequestRow } from './schema.js';
import type { PendingKind, RequestFilter } from '../store.js';

/** Owns the `requests` and `request_approvals` tables. */
export type NewRequest = typeof requests.$inferInsert;

export async function insertRequest(db: Db, request: NewRequest): Promise<RequestRow> {
  const [row] = await db.insert(requests).values(request).returning();
  if (!row) throw new Error(`request ${request.id} was not inserted`);
  return row;
}

/** The pending request to extend this grant, if someone asked for one. */
export async function pendingExtensionOf(db: Db, grantId: string): Promise<RequestRow | undefined> {
  const [row] = await db.select().from(requests).where(and(eq(requests.extendsGrantId, grantId), eq(requests.status, 'pending')));
  return row;
}

export async function findRequest(db: Db, id: string): Promise<RequestRow | undefined> {
  const [row] = await db.select().from(requests).where(eq(requests.id, id));
  return row;
}

/** Moves a pending request on; returns undefined when it was no longer pending (the race's loser). */
export async function closePendingRequest(db: Db, id: string, to: Exclude<RequestStatus, 'pending'>, by: string, at: number): Promise<RequestRow | undefined> {
  const [row] = await db
    .update(requests)
    .set({ status: to, decidedBy: by, decidedAt: at })
    .where(and(eq(requests.id, id), eq(requests.status, 'pending')))
    .returning();
  return row;
}

export async function setApprovalMessage(db: Db, id: string, channel: string, ts: string): Promise<void> {
  await db.update(requests).set({ approvalChannel: channel, approvalTs: ts }).where(eq(requests.id, id));
}

export async function pendingRequestsOf(db: Db, userId: string): Promise<RequestRow[]> {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.requesterId, userId), eq(requests.status, 'pending')))
    .orderBy(asc(requests.createdAt), asc(requests.id));
}

/** Every kind of request pending now: few (resources × policy versions), however many requests. */
export async function pendingKinds(db: Db): Promise<PendingKind[]> {
  return db
    .selectDistinct({ policyVersion: requests.policyVersion, resource: requests.resource, escalated: sql<boolean>`${requests.escalatedAt} is not null` })
    .from(requests)
    .where(eq(requests.status, 'pending'));
}

/** The pending requests of one kind, oldest first, each with the approvals recorded on it so far. */
export async function pendingOfKind(db: Db, kind: PendingKind): Promise<{ request: RequestRow; approvals: RequestApprovalRow[] }[]> {
  const ofKind = and(
    eq(requests.status, 'pending'),
    eq(requests.resource, kind.resource),
    eq(requests.policyVersion, kind.policyVersion),
    kind.escalated ? isNotNull(requests.escalatedAt) : isNull(requests.escalatedAt),
  );
  const approvals = new Map<string, RequestApprovalRow[]>();
  for (const { approval } of await db.select({ approval: requestApprovals }).from(requestApprovals).innerJoin(requests, eq(requests.id, requestApprovals.requestId)).where(ofKind)) {
    const recorded = approvals.get(approval.requestId);
    if (recorded) recorded.push(approval);
    else approvals.set(approval.requestId, [approval]);
  }
  const pending = await db.select().from(requests).where(ofKind).orderBy(asc(requests.createdAt), asc(requests.id));
  return pending.map((request) => ({ request, approvals: approvals.get(request.id) ?? [] }));
}

/** How many requests this person has pending: on this resource, and in all (extension requests included). */
export async function pendingCounts(db: Db, userId: string, resource: string): Promise<PendingCounts> {
  const [row] = await db
    .select({ inAll: sql<number>`count(*)::int`, onResource: sql<number>`(count(*) filter (where ${requests.resource} = ${resource}))::int` })
    .from(requests)
    .where(and(eq(requests.requesterId, userId), eq(requests.status, 'pending')));
  return { inAll: row?.inAll ?? 0, onResource: row?.onResource ?? 0 };
}

export async function pendingWithoutApprovalMessage(db: Db, createdBefore: number, limit: number): Promise<RequestRow[]> {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.status, 'pending'), isNull(requests.approvalTs), lt(requests.createdAt, createdBefore)))
    .limit(limit);
}

/** Marks a pending, not yet escalated request as escalated; undefined when it is neither. */
export async function markEscalated(db: Db, id: string, at: number): Promise<RequestRow | undefined> {
  const [row] = await db
    .update(requests)
    .set({ escalatedAt: at })
    .where(and(eq(requests.id, id), eq(requests.status, 'pending'), isNull(requests.escalatedAt)))
    .returning();
  return row;
}

/** Pending requests for a resource, asked before `createdBefore` and not escalated: escalations a timer may have lost. */
export async function dueForEscalation(db: Db, resource: string, createdBefore: number, limit: number): Promise<RequestRow[]> {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.status, 'pending'), eq(requests.resource, resource), isNull(requests.escalatedAt), lt(requests.createdAt, createdBefore)))
    .orderBy(asc(requests.createdAt))
    .limit(limit);
}

/** Pending requests, read in pages by (created_at, id): what their lapse and escalation timers should cover. */
export async function pendingRequestTimers(db: Db, afterCreatedAt: number, afterId: string, limit: number): Promise<RequestRow[]> {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.status, 'pending'), ...pageAfter(requests.createdAt, requests.id, {}, { at: afterCreatedAt, id: afterId })))
    .orderBy(asc(requests.createdAt), asc(requests.id))
    .limit(limit);
}

/** Pending requests asked before `createdBefore`, oldest first: those past `pending_timeout`. */
export async function pendingCreatedBefore(db: Db, createdBefore: number, limit: number): Promise<RequestRow[]> {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.status, 'pending'), lt(requests.createdAt, createdBefore)))
    .orderBy(asc(requests.createdAt))
    .limit(limit);
}

export async function approvalsOf(db: Db, requestId: string): Promise<RequestApprovalRow[]> {
  return db.select().from(requestApprovals).where(eq(requestApprovals.requestId, requestId));
}

/** False when this person already approved this request (the primary key says so). */
export async function insertApproval(db: Db, requestId: string, approverId: string, stage: number, at: number): Promise<boolean> {
  const inserted = await db.insert(requestApprovals).values({ requestId, approverId, stage, approvedAt: at }).onConflictDoNothing().returning();
  return inserted.length === 1;
}

/** A page of requests by (created_at, id), after the cursor. */
export async function listRequests(db: Db, filter: RequestFilter, after: { at: number; id: string } | undefined, limit: number): Promise<RequestRow[]> {
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
    .limit(limit);
}

/** Requests asked since `since`, oldest first, for the security review. */
export async function requestsSince(db: Db, since: number): Promise<RequestRow[]> {
  return db.select().from(requests).where(gte(requests.createdAt, since)).orderBy(asc(requests.createdAt), asc(requests.id));
}
