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

/** Slack users and user groups, read live through the Web API and cached briefly. */
export function createSlackDirectory(deps: { client: WebClient; usergroupTtlMs: () => number }): Directory {
  // One users.info per person answers both the profile and "deactivated?", re-read as often as
  // group membership: someone deactivated loses rights as soon.
  const users = ttlCache<Awaited<ReturnType<Directory['userProfile']>>>(deps.usergroupTtlMs);
  const groups = ttlCache<readonly string[]>(deps.usergroupTtlMs);

  const explain = (what: string, error: unknown) =>
    new DirectoryError(`${what}: ${slackErrorCode(error) ?? errorMessage(error)}`);

  const userProfile: Directory['userProfile'] = (userId) =>
    users(userId, async () => {
      try {
        const { user } = await withSlackRetry(() => deps.client.users.info({ user: userId }));
        return { tz: user?.tz, email: user?.profile?.email ?? null, deleted: user?.deleted ?? false };
      } catch (error) {
        throw explain(`users.info ${userId}`, error);
      }
    });

  return {
    userProfile,
    deactivated: async (userId) => (await userProfile(userId)).deleted,
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
