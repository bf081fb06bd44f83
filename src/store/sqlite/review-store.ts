import { appendAudit } from './audit-log.js';
import type { Db } from './database.js';
import type { Transaction } from './database.js';
import * as reviews from './reviews.js';
import type { RecordDecisionOutcome, ReviewFilter } from '../store.js';

/**
 * Security reviews: each stored with its audit event, and each keep / revoke recorded once
 * with its own. Part of the store (see store.ts).
 */
export function reviewTransactions(db: Db, transaction: Transaction) {
  return {
    findReview: async (id: string) => reviews.findReview(db, id),
    reviewDecisions: async (reviewId: string) => reviews.decisionsOf(db, reviewId),
    pageReviews: async (filter: ReviewFilter, after: { at: number; id: string } | undefined, limit: number) => reviews.pageReviews(db, filter, after, limit),
    setReviewMessage: async (id: string, channel: string, ts: string) => reviews.setReviewMessage(db, id, channel, ts),

    async createReview(review: reviews.NewReview & { createdAt: number }, counts: Record<string, number>) {
      return transaction((tx) => {
        const row = reviews.insertReview(tx, review);
        appendAudit(tx, {
          at: row.createdAt,
          actor: row.createdBy,
          action: 'review.created',
          subjectType: 'review',
          subjectId: row.id,
          details: { trigger: row.trigger, since: row.since, until: row.until, ...counts },
        });
        return row;
      });
    },

    /** Keep or revoke, by someone the caller checked may decide; the audit event is on the item itself. */
    async recordReviewDecision(decision: reviews.NewReviewDecision & { decidedAt: number }, resource: string) {
      return transaction((tx): RecordDecisionOutcome => {
        const row = reviews.insertDecision(tx, decision);
        if (!row) {
          const existing = reviews.findDecision(tx, decision.reviewId, decision.subjectId);
          if (existing) return { kind: 'already_decided', decision: existing };
          throw new Error(`review decision on ${decision.subjectId} was neither written nor found`);
        }
        appendAudit(tx, {
          at: row.decidedAt,
          actor: row.decidedBy,
          action: `review.${row.decision}`,
          subjectType: row.subjectType,
          subjectId: row.subjectId,
          resource,
          reason: row.note,
          details: { review_id: row.reviewId },
        });
        return { kind: 'recorded', decision: row };
      });
    },
  };
}
