import { and, asc, eq, isNull, lt } from 'drizzle-orm';
import type { RequestStatus } from '../domain/states.js';
import type { Db } from './database.js';
import { requestApprovals, requests, type RequestRow } from './schema.js';

/** Owns the `requests` and `request_approvals` tables. */
export type NewRequest = typeof requests.$inferInsert;

export function insertRequest(db: Db, request: NewRequest): RequestRow {
  return db.insert(requests).values(request).returning().get();
}

export function findRequest(db: Db, id: string): RequestRow | undefined {
  return db.select().from(requests).where(eq(requests.id, id)).get();
}

/** Moves a pending request on; returns undefined when it was no longer pending (the race's loser). */
export function closePendingRequest(
  db: Db,
  id: string,
  to: Exclude<RequestStatus, 'pending'>,
  by: string,
  at: number,
): RequestRow | undefined {
  return db
    .update(requests)
    .set({ status: to, decidedBy: by, decidedAt: at })
    .where(and(eq(requests.id, id), eq(requests.status, 'pending')))
    .returning()
    .get();
}

export function setApprovalMessage(db: Db, id: string, channel: string, ts: string): void {
  db.update(requests).set({ approvalChannel: channel, approvalTs: ts }).where(eq(requests.id, id)).run();
}

export function pendingRequestsOf(db: Db, userId: string): RequestRow[] {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.requesterId, userId), eq(requests.status, 'pending')))
    .orderBy(asc(requests.createdAt))
    .all();
}

export function pendingWithoutApprovalMessage(db: Db, createdBefore: number, limit: number): RequestRow[] {
  return db
    .select()
    .from(requests)
    .where(and(eq(requests.status, 'pending'), isNull(requests.approvalTs), lt(requests.createdAt, createdBefore)))
    .limit(limit)
    .all();
}

export function approvalsOf(db: Db, requestId: string) {
  return db.select().from(requestApprovals).where(eq(requestApprovals.requestId, requestId)).all();
}

/** False when this person already approved this request (the primary key says so). */
export function insertApproval(db: Db, requestId: string, approverId: string, stage: number, at: number): boolean {
  const inserted = db
    .insert(requestApprovals)
    .values({ requestId, approverId, stage, approvedAt: at })
    .onConflictDoNothing()
    .returning()
    .all();
  return inserted.length === 1;
}
