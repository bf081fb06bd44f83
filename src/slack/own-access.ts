import type { ExceptionRow, GrantRow, RequestRow } from '../store/schema.js';
import type { SlackServices } from './services.js';

/** What `/request list` and App Home show a person about themself. */
export interface OwnAccess {
  pending: readonly RequestRow[];
  active: readonly GrantRow[];
  exceptions: readonly ExceptionRow[];
}

export function ownAccess(services: Pick<SlackServices, 'accessRequests' | 'optOut'>, userId: string): OwnAccess {
  return { ...services.accessRequests.list(userId), exceptions: services.optOut.list(userId) };
}
