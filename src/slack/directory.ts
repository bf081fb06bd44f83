import type { WebClient } from '@slack/web-api';
import { DirectoryError, type Directory } from '../services/ports.js';
import { slackErrorCode, withSlackRetry } from './slack-retry.js';
import { errorMessage } from '../error-message.js';

interface Cached<T> {
  value: T;
  until: number;
}

/** A small time-bounded cache; a failed lookup is not cached. */
function ttlCache<T>(ttlMs: () => number) {
  const entries = new Map<string, Cached<T>>();
  return async (key: string, load: () => Promise<T>): Promise<T> => {
    const hit = entries.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    const value = await load();
    entries.set(key, { value, until: Date.now() + ttlMs() });
    return value;
  };
}

const PROFILE_TTL_MS = 10 * 60_000;

/** Slack users and user groups, read live through the Web API and cached briefly. */
export function createSlackDirectory(deps: { client: WebClient; usergroupTtlMs: () => number }): Directory {
  const profiles = ttlCache<Awaited<ReturnType<Directory['userProfile']>>>(() => PROFILE_TTL_MS);
  const groups = ttlCache<readonly string[]>(deps.usergroupTtlMs);
  // Who may click is re-read as often as group membership: someone deactivated loses rights as soon.
  const deactivations = ttlCache<boolean>(deps.usergroupTtlMs);

  const explain = (what: string, error: unknown) =>
    new DirectoryError(`${what}: ${slackErrorCode(error) ?? errorMessage(error)}`);

  return {
    userProfile: (userId) =>
      profiles(userId, async () => {
        try {
          const { user } = await withSlackRetry(() => deps.client.users.info({ user: userId }));
          return { tz: user?.tz, email: user?.profile?.email ?? null, deleted: user?.deleted ?? false };
        } catch (error) {
          throw explain(`users.info ${userId}`, error);
        }
      }),
    deactivated: (userId) =>
      deactivations(userId, async () => {
        try {
          const { user } = await withSlackRetry(() => deps.client.users.info({ user: userId }));
          return user?.deleted ?? false;
        } catch (error) {
          throw explain(`users.info ${userId}`, error);
        }
      }),
    usergroupMembers: (usergroupId) =>
      groups(usergroupId, async () => {
        try {
          const { users } = await withSlackRetry(() => deps.client.usergroups.users.list({ usergroup: usergroupId }));
          return users ?? [];
        } catch (error) {
          throw explain(`user group ${usergroupId}`, error);
        }
      }),
  };
}
