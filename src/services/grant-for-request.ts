import { newId } from '../store/ids.js';
import type { NewGrant } from '../store/store.js';
import type { RequestRecord } from '../domain/records.js';

/**
 * The grant an approved request gets: from `at` (or from its scheduled start, if later), for
 * the duration asked, under an exception if any.
 */
export function grantForRequest(approved: RequestRecord, at: number, exceptionId: string | null = null): NewGrant {
  const start = Math.max(at, approved.startsAt ?? at);
  return {
    id: newId('grt'),
    requestId: approved.id,
    exceptionId,
    userId: approved.requesterId,
    userEmail: approved.requesterEmail,
    resource: approved.resource,
    reason: approved.reason,
    grantedAt: start,
    expiresAt: start + approved.durationMs,
  };
}
