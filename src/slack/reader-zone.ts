import type { Policy } from '../domain/policy.js';
import type { Directory } from '../services/ports.js';

/** The reader's Slack time zone, else `settings.timezone`: for the fallback text of date tokens. */
export async function readerZone(directory: Pick<Directory, 'userProfile'>, policy: Policy, userId: string): Promise<string> {
  const profile = await directory.userProfile(userId).catch(() => undefined);
  return profile?.tz ?? policy.settings.timezone;
}
