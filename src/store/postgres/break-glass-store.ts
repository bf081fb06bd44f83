import type { AuditKey } from '../../domain/audit-chain.js';
import { appendAudit } from './audit-log.js';
import * as breakGlass from './break-glass.js';
import type { Db, Transaction } from './database.js';
import { grantAtOnce } from './granting.js';
import type { BreakGlassRow } from './schema.js';
import type { Store } from '../store.js';

const useSubject = (use: BreakGlassRow) => ({ subjectType: 'grant' as const, subjectId: use.grantId, resource: use.resource });

type BreakGlassMethods = Pick<
  Store,
  | 'findBreakGlass'
  | 'unacknowledgedBreakGlass'
  | 'breakGlassDueForReminder'
  | 'breakGlassAwaitingReminder'
  | 'setBreakGlassAlerts'
  | 'grantBreakGlass'
  | 'acknowledgeBreakGlass'
  | 'markBreakGlassReminded'
>;

/** Break-glass: granted at once, acknowledged once, reminded once. Part of the store (see store.ts). */
export function breakGlassTransactions(db: Db, transaction: Transaction, key: AuditKey): BreakGlassMethods {
  return {
    findBreakGlass: (grantId) => breakGlass.findUse(db, grantId),
    unacknowledgedBreakGlass: () => breakGlass.unacknowledged(db),
    breakGlassDueForReminder: (createdBefore, limit) => breakGlass.dueForReminder(db, createdBefore, limit),
    breakGlassAwaitingReminder: (afterCreatedAt, afterId, limit) => breakGlass.awaitingReminder(db, afterCreatedAt, afterId, limit),
    setBreakGlassAlerts: (grantId, alerts) => breakGlass.setAlerts(db, grantId, alerts),

    /** The request, approved by jitbot as break-glass, its grant, and the use to acknowledge: one transaction. */
    grantBreakGlass: (request, details, newGrant) =>
      transaction(async (tx) => {
        const granted = await grantAtOnce(tx, key, request, { reason: 'break_glass', details }, newGrant);
        const use = await breakGlass.insertUse(tx, {
          grantId: granted.grant.id,
          requestId: granted.request.id,
          userId: granted.request.requesterId,
          resource: granted.request.resource,
          reason: granted.request.reason,
          createdAt: request.createdAt,
        });
        await appendAudit(tx, key, { ...useSubject(use), at: use.createdAt, actor: use.userId, action: 'break_glass.used', reason: use.reason, details });
        return { ...granted, use };
      }),

    acknowledgeBreakGlass: (grantId, by, at) =>
      transaction(async (tx) => {
        const use = await breakGlass.acknowledge(tx, grantId, by, at);
        if (use) await appendAudit(tx, key, { ...useSubject(use), at, actor: by, action: 'break_glass.acknowledged', details: { after_ms: at - use.createdAt } });
        return use;
      }),

    markBreakGlassReminded: (grantId, at) =>
      transaction(async (tx) => {
        const use = await breakGlass.markReminded(tx, grantId, at);
        if (use) await appendAudit(tx, key, { ...useSubject(use), at, actor: 'jitbot', action: 'break_glass.unacknowledged', details: { after_ms: at - use.createdAt } });
        return use;
      }),
  };
}
