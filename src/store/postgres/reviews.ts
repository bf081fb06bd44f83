import { and, asc, eq } from 'drizzle-orm';
import type { Db } from './database.js';
import { equalsIfGiven, pageAfter } from './query.js';
import { reviewDecisions, reviews, type ReviewDecisionRow, type ReviewRow } from './schema.js';
import type { ReviewFilter } from '../store.js';

/** Owns the `reviews` and `review_decisions` tables (security reviews and what was decided on them). */
export type NewReview = typeof reviews.$inferInsert;
export type NewReviewDecision = typeof reviewDecisions.$inferInsert;

export async function insertReview(db: Db, review: NewReview): Promise<ReviewRow> {
  const [row] = await db.insert(reviews).values(review).returning();
  if (!row) throw new Error(`review ${review.id} was not inserted`);
  return row;
}

export async function findReview(db: Db, id: string): Promise<ReviewRow | undefined> {
  const [row] = await db.select().from(reviews).where(eq(reviews.id, id));
  return row;
}

export async function setReviewMessage(db: Db, id: string, channel: string, ts: string): Promise<void> {
  await db.update(reviews).set({ channel, messageTs: ts }).where(eq(reviews.id, id));
}

/** The decision, or undefined when the item was already decided in this review (the first one stands). */
export async function insertDecision(db: Db, decision: NewReviewDecision): Promise<ReviewDecisionRow | undefined> {
  const [row] = await db.insert(reviewDecisions).values(decision).onConflictDoNothing().returning();
  return row;
}

export async function findDecision(db: Db, reviewId: string, subjectId: string): Promise<ReviewDecisionRow | undefined> {
  const [row] = await db
    .select()
    .from(reviewDecisions)
    .where(and(eq(reviewDecisions.reviewId, reviewId), eq(reviewDecisions.subjectId, subjectId)));
  return row;
}

export async function decisionsOf(db: Db, reviewId: string): Promise<ReviewDecisionRow[]> {
  return db.select().from(reviewDecisions).where(eq(reviewDecisions.reviewId, reviewId)).orderBy(asc(reviewDecisions.decidedAt), asc(reviewDecisions.subjectId));
}

/** A page of reviews by (created_at, id), after the cursor. */
export async function pageReviews(db: Db, filter: ReviewFilter, after: { at: number; id: string } | undefined, limit: number): Promise<ReviewRow[]> {
  return db
    .select()
    .from(reviews)
    .where(and(equalsIfGiven(reviews.createdBy, filter.createdBy), ...pageAfter(reviews.createdAt, reviews.id, filter, after)))
    .orderBy(asc(reviews.createdAt), asc(reviews.id))
    .limit(limit);
}
