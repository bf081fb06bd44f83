import type { Clock } from '../domain/clock.js';
import { buildReviewReport, type ReviewGrant, type ReviewReport } from '../domain/review-report.js';
import type { Store } from '../store/store.js';

const DAY_MS = 86_400_000;

/** Gathers what the security review looks at and builds the report (DESIGN.md §3 `review`). */
export function createReviewService(deps: {
  store: Pick<Store, 'liveGrants' | 'listExceptions' | 'requestsSince' | 'findRequest' | 'findException'>;
  clock: Clock;
}) {
  return {
    report(days: number): ReviewReport {
      const now = deps.clock.now().toMillis();
      const since = now - days * DAY_MS;
      const grants: ReviewGrant[] = deps.store.liveGrants().map((g) => ({
        ...g,
        approvedBy: g.requestId !== null ? (deps.store.findRequest(g.requestId)?.decidedBy ?? null) : g.exceptionId !== null ? (deps.store.findException(g.exceptionId)?.decidedBy ?? null) : null,
      }));
      const exceptions = deps.store.listExceptions({ all: false }).filter((e) => e.status === 'open');
      return buildReviewReport({ now, since, grants, exceptions, requests: deps.store.requestsSince(since) });
    },
  };
}
