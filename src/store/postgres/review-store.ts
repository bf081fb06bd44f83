import type { AuditKey } from '../../domain/audit-chain.js';
import { appendAudit } from './audit-log.js';
import type { Db, Transaction } from './database.js';
import * as reviews from './reviews.js';
import type { RecordDecisionOutcome, Store } from '../store.js';

/** A decision neither inserted nor found: the primary key says one of the two must happen. */
export class ReviewDecisionLost extends Error {
  override readonly name = 'ReviewDecisionLost';
  constructor(reviewId: string, subjectId: string) {
    super(`review ${reviewId}: the decision on ${subjectId} was neither written nor found`);
  }
}

type ReviewMethods = Pick<Store, 'findReview' | 'reviewDecisions' | 'pageReviews' | 'setReviewMessage' | 'createReview' | 'recordReviewDecision'>;

/**
 * Security reviews: each stored with its audit event, and each keep / revoke recorded once
 * with its own. Part of the store (see store.ts).
 */
export function reviewTransactions(db: Db, transaction: Transaction, key: AuditKey): ReviewMethods {
  return {
    findReview: (id) => reviews.findReview(db, id),
    reviewDecisions: (reviewId) => reviews.decisionsOf(db, reviewId),
    pageReviews: (filter, after, limit) => reviews.pageReviews(db, filter, after, limit),
    setReviewMessage: (id, channel, ts) => reviews.setReviewMessage(db, id, channel, ts),

    createReview: (review, counts) =>
      transaction(async (tx) => {
        const row = await reviews.insertReview(tx, review);
        await appendAudit(tx, key, {
          at: row.createdAt,
          actor: row.createdBy,
          action: 'review.created',
          subjectType: 'review',
          subjectId: row.id,
          details: { trigger: row.trigger, since: row.since, until: row.until, ...counts },
        });
        return row;
      }),

    /** Keep or revoke, by someone the caller checked may decide; the audit event is on the item itself. */
    recordReviewDecision: (decision, resource) =>
      transaction(async (tx): Promise<RecordDecisionOutcome> => {
        const row = await reviews.insertDecision(tx, decision);
        if (!row) {
          const existing = await reviews.findDecision(tx, decision.reviewId, decision.subjectId);
          if (existing) return { kind: 'already_decided', decision: existing };
          throw new ReviewDecisionLost(decision.reviewId, decision.subjectId);
        }
        await appendAudit(tx, key, {
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
      }),
  };
}
