import type { LoadedPolicy } from '../config/load-policy.js';
import type { Clock } from '../domain/clock.js';
import { err, ok, type Result } from '../domain/result.js';
import { buildReviewReport, reviewListing, reviewReportSchema, type ReviewGrant, type ReviewItem, type ReviewReport } from '../domain/review-report.js';
import type { ReviewDecision, ReviewTrigger } from '../domain/states.js';
import { newId } from '../store/ids.js';
import type { ReviewDecisionRecord, ReviewRecord } from '../domain/records.js';
import type { Store } from '../store/store.js';
import { createRefusals } from './refusals.js';
import type { EndAccessService } from './end-access.js';
import type { Membership } from './membership.js';
import type { MessageLane } from './message-lane.js';
import type { OptOutService } from './opt-out.js';
import type { Log, Notifier, PostedReview } from './ports.js';

const DAY_MS = 86_400_000;

/** A review asked for on demand (`/request review`, `jitbot review`) looks back a week, like the weekly schedule. */
export const ON_DEMAND_REVIEW_DAYS = 7;

export type ReviewStore = Pick<
  Store,
  | 'liveGrants'
  | 'openExceptionsIn'
  | 'requestsSince'
  | 'findRequest'
  | 'findException'
  | 'createReview'
  | 'findReview'
  | 'reviewDecisions'
  | 'setReviewMessage'
  | 'recordReviewDecision'
  | 'recordEvent'
  | 'openDriftFindings'
  | 'unacknowledgedBreakGlass'
>;

/** The report stored with a review, read back and checked (it may come from an older version). */
export function storedReport(review: ReviewRecord): ReviewReport {
  return reviewReportSchema.parse(JSON.parse(review.report));
}

/** A stored review with its report and every decision taken on it so far. */
export async function postedReview(store: Pick<Store, 'reviewDecisions'>, review: ReviewRecord): Promise<PostedReview> {
  return { review, report: storedReport(review), decisions: await store.reviewDecisions(review.id) };
}

/** Reads what a review needs and builds the report (`/request review`, the schedule and `jitbot review`). */
async function gatherReport(store: ReviewStore, now: number, days: number): Promise<ReviewReport> {
  const since = now - days * DAY_MS;
  const approvedBy = async (g: { requestId: string | null; exceptionId: string | null }) =>
    g.requestId !== null ? ((await store.findRequest(g.requestId))?.decidedBy ?? null) : g.exceptionId !== null ? ((await store.findException(g.exceptionId))?.decidedBy ?? null) : null;
  const grants: ReviewGrant[] = await Promise.all((await store.liveGrants()).map(async (g) => ({ ...g, approvedBy: await approvedBy(g) })));
  const exceptions = await store.openExceptionsIn({});
  return buildReviewReport({ now, since, grants, exceptions, requests: await store.requestsSince(since), drift: await store.openDriftFindings(), breakGlass: await store.unacknowledgedBreakGlass() });
}

/** Runs a review and stores it as a review record, with its audit event. */
export async function conductReview(store: ReviewStore, input: { trigger: ReviewTrigger; by: string; days: number; now: number }): Promise<PostedReview> {
  const report = await gatherReport(store, input.now, input.days);
  const counts = {
    active_grants: report.activeGrants.length,
    open_exceptions: report.longLived.openExceptions.length,
    long_grants: report.longLived.longGrants.length,
    failed_revocations: report.failedRevocations.length,
    not_set_up: report.notSetUp.length,
    drift_findings: report.drift.length,
    unacknowledged_break_glass: report.unacknowledgedBreakGlass.length,
  };
  const review = await store.createReview(
    { id: newId('rev'), trigger: input.trigger, createdBy: input.by, createdAt: input.now, since: report.since, until: report.until, report: JSON.stringify(report) },
    counts,
  );
  return { review, report, decisions: [] };
}

export interface ReviewDeps {
  store: ReviewStore;
  policy: () => LoadedPolicy;
  membership: Pick<Membership, 'securityOnly'>;
  notifier: Pick<Notifier, 'postReview' | 'updateReview'>;
  endAccess: Pick<EndAccessService, 'revoke'>;
  optOut: Pick<OptOutService, 'revoke'>;
  messages: MessageLane;
  clock: Clock;
  log: Log;
}

export type DecideAnswer = { decision: ReviewDecisionRecord; item: ReviewItem; revokeProblem: string | undefined };

/**
 * Security reviews from Slack and the schedule: run, store, post in the security channel,
 * and record each keep / revoke (revoke acts at once). Only the security team may run or decide.
 */
export function createReviewService(deps: ReviewDeps) {
  const { store, clock, log } = deps;

  const refusals = createRefusals(deps);
  /** The security team only; a refusal is audited on what it was about. */
  const securityOnly = (actor: string, subject: { type: 'review' | 'grant' | 'exception'; id: string }, what: string) =>
    refusals.securityOnly(what, { actor, action: 'review.refused', subject, details: { what } });

  /** Runs and stores a review, then posts it in the security channel when there is one. */
  async function runAndPost(input: { trigger: ReviewTrigger; by: string; days: number }): Promise<PostedReview> {
    const record = await conductReview(store, { ...input, now: clock.now().toMillis() });
    const where = deps.policy().policy.settings.security_channel === undefined ? undefined : await deps.notifier.postReview(record);
    if (where) {
      await store.setReviewMessage(record.review.id, where.channel, where.ts);
      return { ...record, review: { ...record.review, channel: where.channel, messageTs: where.ts } };
    }
    log.warn({ reviewId: record.review.id }, 'security review stored but not posted: no security_channel, or Slack refused');
    return record;
  }

  return {
    runAndPost,

    /** `/request review`: the security team asks for a review now. */
    async requestReview(input: { userId: string; days?: number }): Promise<Result<PostedReview>> {
      const allowed = await securityOnly(input.userId, { type: 'review', id: 'new' }, 'run a security review');
      if (!allowed.ok) return allowed;
      return ok(await runAndPost({ trigger: 'slack', by: input.userId, days: input.days ?? ON_DEMAND_REVIEW_DAYS }));
    },

    /** Keep or revoke one item a review lists (open exception or active grant); the first decision on an item stands. */
    async decide(input: { reviewId: string; subjectId: string; decision: ReviewDecision; actorId: string; note: string | null }): Promise<Result<DecideAnswer>> {
      const review = await store.findReview(input.reviewId);
      if (!review) return err(`There is no review ${input.reviewId}.`);
      const report = storedReport(review);
      const item = reviewListing(report).find((e) => e.item.subjectId === input.subjectId)?.item;
      if (!item) return err(`${input.subjectId} is not one of the long-lived items of review ${review.id}, nor one of its active grants; nothing was recorded.`);
      const allowed = await securityOnly(input.actorId, { type: item.subjectType, id: item.subjectId }, `${input.decision} access in a security review`);
      if (!allowed.ok) return allowed;

      const recorded = await store.recordReviewDecision(
        { reviewId: review.id, subjectType: item.subjectType, subjectId: item.subjectId, decision: input.decision, decidedBy: input.actorId, decidedAt: clock.now().toMillis(), note: input.note },
        item.resource,
      );
      if (recorded.kind === 'already_decided') {
        const d = recorded.decision;
        return err(`${item.subjectId} was already decided in this review: ${d.decision} by <@${d.decidedBy}>. Nothing changed.`);
      }
      let revokeProblem: string | undefined;
      if (input.decision === 'revoke') {
        const ended =
          item.subjectType === 'exception'
            ? await deps.optOut.revoke({ actorId: input.actorId, exceptionId: item.subjectId })
            : await deps.endAccess.revoke({ actorId: input.actorId, target: item.subjectId });
        revokeProblem = ended.ok ? undefined : ended.error;
      }
      deps.messages.send(async () => deps.notifier.updateReview(await postedReview(store, review)));
      return ok({ decision: recorded.decision, item, revokeProblem });
    },
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;
