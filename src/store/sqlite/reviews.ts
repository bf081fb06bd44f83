import { and, asc, eq } from 'drizzle-orm';
import { equalsIfGiven, pageAfter, type Db } from './database.js';
import { reviewDecisions, reviews, type ReviewDecisionRow, type ReviewRow } from './schema.js';
import type { ReviewFilter } from '../store.js';

/** Owns the `reviews` and `review_decisions` tables (security reviews and what was decided on them). */
export type NewReview = typeof reviews.$inferInsert;
export type NewReviewDecision = typeof reviewDecisions.$inferInsert;

export function insertReview(db: Db, review: NewReview): ReviewRow {
  return db.insert(reviews).values(review).returning().get();
}

export function findReview(db: Db, id: string): ReviewRow | undefined {
  return db.select().from(reviews).where(eq(reviews.id, id)).get();
}

export function setReviewMessage(db: Db, id: string, channel: string, ts: string): void {
  db.update(reviews).set({ channel, messageTs: ts }).where(eq(reviews.id, id)).run();
}

/** The decision, or undefined when the item was already decided in this review (the first one stands). */
export function insertDecision(db: Db, decision: NewReviewDecision): ReviewDecisionRow | undefined {
  return db.insert(reviewDecisions).values(decision).onConflictDoNothing().returning().get();
}

export function findDecision(db: Db, reviewId: string, subjectId: string): ReviewDecisionRow | undefined {
  return db
    .select()
    .from(reviewDecisions)
    .where(and(eq(reviewDecisions.reviewId, reviewId), eq(reviewDecisions.subjectId, subjectId)))
    .get();
}

export function decisionsOf(db: Db, reviewId: string): ReviewDecisionRow[] {
  return db.select().from(reviewDecisions).where(eq(reviewDecisions.reviewId, reviewId)).orderBy(asc(reviewDecisions.decidedAt)).all();
}

/** A page of reviews by (created_at, id), after the cursor. */
export function pageReviews(db: Db, filter: ReviewFilter, after: { at: number; id: string } | undefined, limit: number): ReviewRow[] {
  return db
    .select()
    .from(reviews)
    .where(and(equalsIfGiven(reviews.createdBy, filter.createdBy), ...pageAfter(reviews.createdAt, reviews.id, filter, after)))
    .orderBy(asc(reviews.createdAt), asc(reviews.id))
    .limit(limit)
    .all();
}
