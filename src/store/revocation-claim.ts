import { LIVE_GRANT_STATUSES } from '../domain/states.js';
import type { GrantRecord } from '../domain/records.js';
import type { RevocationClaim } from './store.js';

/**
 * What a claim attempt came to, from the row it took (if any) and, when it took none, the row
 * as it now stands. A claim released between the two reads is `held` until `at`: try again now.
 */
export function revocationClaim(taken: GrantRecord | undefined, current: GrantRecord | undefined, at: number): RevocationClaim {
  if (taken) return { kind: 'claimed', grant: taken };
  if (!current || !LIVE_GRANT_STATUSES.includes(current.status)) return { kind: 'ended' };
  return { kind: 'held', by: current.revokeClaimedBy ?? '', until: current.revokeClaimUntil ?? at };
}
