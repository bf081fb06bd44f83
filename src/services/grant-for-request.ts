import { newId } from '../store/ids.js';
import type { NewGrant } from '../store/grants.js';
import type { RequestRow } from '../store/schema.js';

/** The grant an approved request gets: from `at`, for the duration asked, under an exception if any. */
export function grantForRequest(approved: RequestRow, at: number, exceptionId: string | null = null): NewGrant {
  return {
    id: newId('grt'),
    requestId: approved.id,
    exceptionId,
    userId: approved.requesterId,
    userEmail: approved.requesterEmail,
    resource: approved.resource,
    reason: approved.reason,
    grantedAt: at,
    expiresAt: at + approved.durationMs,
  };
}
