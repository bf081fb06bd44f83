import { appendAudit } from './audit-log.js';
import * as breakGlass from './break-glass.js';
import type { Db } from './database.js';
import type { Transaction } from './database.js';
import { grantAtOnce } from './granting.js';
import type * as grants from './grants.js';
import type * as requests from './requests.js';
import type { BreakGlassRow, RequestRow } from './schema.js';

const useSubject = (use: BreakGlassRow) => ({ subjectType: 'grant' as const, subjectId: use.grantId, resource: use.resource });

/** Break-glass: granted at once, acknowledged once, reminded once. Part of the store (see store.ts). */
export function breakGlassTransactions(db: Db, transaction: Transaction) {
  return {
    findBreakGlass: async (grantId: string) => breakGlass.findUse(db, grantId),
    unacknowledgedBreakGlass: async () => breakGlass.unacknowledged(db),
    breakGlassDueForReminder: async (createdBefore: number, limit: number) => breakGlass.dueForReminder(db, createdBefore, limit),
    breakGlassAwaitingReminder: async (afterCreatedAt: number, afterId: string, limit: number) => breakGlass.awaitingReminder(db, afterCreatedAt, afterId, limit),
    setBreakGlassAlerts: async (grantId: string, alerts: Parameters<typeof breakGlass.setAlerts>[2]) => breakGlass.setAlerts(db, grantId, alerts),

    /** The request, approved by jitbot as break-glass, its grant, and the use to acknowledge: one transaction. */
    async grantBreakGlass(
      request: requests.NewRequest & { createdAt: number },
      details: Record<string, unknown>,
      newGrant: (approved: RequestRow) => grants.NewGrant,
    ) {
      return transaction((tx) => {
        const granted = grantAtOnce(tx, request, { reason: 'break_glass', details }, newGrant);
        const use = breakGlass.insertUse(tx, {
          grantId: granted.grant.id,
          requestId: granted.request.id,
          userId: granted.request.requesterId,
          resource: granted.request.resource,
          reason: granted.request.reason,
          createdAt: request.createdAt,
        });
        appendAudit(tx, { ...useSubject(use), at: use.createdAt, actor: use.userId, action: 'break_glass.used', reason: use.reason, details });
        return { ...granted, use };
      });
    },

    async acknowledgeBreakGlass(grantId: string, by: string, at: number) {
      return transaction((tx) => {
        const use = breakGlass.acknowledge(tx, grantId, by, at);
        if (use) appendAudit(tx, { ...useSubject(use), at, actor: by, action: 'break_glass.acknowledged', details: { after_ms: at - use.createdAt } });
        return use;
      });
    },

    async markBreakGlassReminded(grantId: string, at: number) {
      return transaction((tx) => {
        const use = breakGlass.markReminded(tx, grantId, at);
        if (use) appendAudit(tx, { ...useSubject(use), at, actor: 'jitbot', action: 'break_glass.unacknowledged', details: { after_ms: at - use.createdAt } });
        return use;
      });
    },
  };
}
