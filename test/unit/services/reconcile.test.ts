import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { createReconciler } from '../../../src/services/reconcile.js';
import type { GrantRecord } from '../../../src/domain/records.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const quietLog = { debug() {}, info() {}, warn() {}, error() {} };

test('the sweep queues a grant whose provisioning job never reached Redis, and nothing else', async () => {
  const queued: string[] = [];
  const asked: number[] = [];
  const lost = { id: 'grt-lost', expiresAt: NOW + 3_600_000 } as GrantRecord;
  const reconciler = createReconciler({
    store: {
      activeGrantTimers: async () => [],
      pendingRequestTimers: async () => [],
      breakGlassAwaitingReminder: async () => [],
      grantsDueForRevocation: async () => [],
      grantsNeverQueued: async (grantedBefore: number) => {
        asked.push(grantedBefore);
        return [lost];
      },
      pendingWithoutApprovalMessage: async () => [],
      openExceptionTimers: async () => [],
      exceptionsDueToClose: async () => [],
      pendingExceptionsWithoutApprovalMessage: async () => [],
      breakGlassDueForReminder: async () => [],
      pendingCreatedBefore: async () => [],
      dueForEscalation: async () => [],
    },
    scheduler: {
      revokeNow: async () => undefined,
      scheduleGrant: async (grant) => {
        queued.push(grant.id);
      },
    },
    timers: {
      isIntact: async () => true,
      markIntact: async () => undefined,
      restoreGrants: async () => undefined,
      restoreExceptions: async () => undefined,
      restoreRequests: async () => undefined,
      restoreBreakGlassReminders: async () => undefined,
    },
    requestTimers: async (request) => ({ id: request.id, lapseAt: request.createdAt, escalateAt: undefined }),
    restoreJobSchedulers: async () => undefined,
    closeException: async () => undefined,
    repost: async () => false,
    repostException: async () => false,
    remindBreakGlass: async () => ({ kind: 'skipped' as const }),
    lapse: async () => ({ kind: 'skipped' as const }),
    pendingTimeoutMs: () => 86_400_000,
    escalate: async () => ({ kind: 'skipped' as const }),
    escalations: () => [],
    clock: { now: () => DateTime.fromMillis(NOW) },
    log: quietLog,
  });
  const report = await reconciler.sweep();
  assert.deepEqual(queued, ['grt-lost']);
  assert.equal(report.requeuedGrants, 1);
  assert.deepEqual(asked, [NOW - 60_000], 'only grants approved over a minute ago: younger jobs may simply not have run yet');
});
