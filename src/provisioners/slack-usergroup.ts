import { quotedFromOutside } from '../domain/redact.js';
import { errorMessage } from '../error-message.js';
import type { KeyedLock } from './keyed-lock.js';
import { ProvisionerError, type Provisioner } from './provisioner.js';

/** The user group does not exist (Slack's `no_such_subteam`): retrying cannot fix that. */
export class UsergroupNotFoundError extends Error {
  override readonly name = 'UsergroupNotFoundError';
}

/** The Slack Web API calls this provisioner needs (src/slack/usergroup-admin.ts); a missing group throws UsergroupNotFoundError. */
export interface UsergroupAdmin {
  /** Members, and whether the group is disabled (a disabled group gives nobody anything). */
  state(usergroup: string): Promise<{ members: readonly string[]; disabled: boolean }>;
  setMembers(usergroup: string, users: readonly string[]): Promise<void>;
  enable(usergroup: string): Promise<void>;
  disable(usergroup: string): Promise<void>;
}

/**
 * Membership of a Slack user group for the grant's duration. Every change is read-modify-write
 * under a per-group lock. Slack cannot empty a group with `usergroups.users.update`, so taking
 * out the last member disables the group instead, and the next grant enables it again.
 */
export function createSlackUsergroupProvisioner(options: { usergroup: string; admin: UsergroupAdmin; lock: KeyedLock }): Provisioner {
  const { usergroup, admin } = options;
  const fail = (what: string, error: unknown) =>
    new ProvisionerError('slack_usergroup', `${what} ${usergroup}: ${quotedFromOutside(errorMessage(error))}`, { cause: error, permanent: error instanceof UsergroupNotFoundError, quotesOutside: true });
  const locked = <T>(what: string, task: () => Promise<T>) =>
    options.lock(usergroup, async () => {
      try {
        return await task();
      } catch (error) {
        throw fail(what, error);
      }
    });

  /** Who the group gives anything to: nobody while it is disabled (whoever is still listed). */
  async function holders(): Promise<readonly string[]> {
    const { members, disabled } = await admin.state(usergroup);
    return disabled ? [] : members;
  }

  async function remove(userId: string): Promise<void> {
    const current = await holders();
    if (!current.includes(userId)) return;
    const remaining = current.filter((u) => u !== userId);
    if (remaining.length === 0) await admin.disable(usergroup);
    else await admin.setMembers(usergroup, remaining);
  }

  return {
    type: 'slack_usergroup',
    target: `slack_usergroup:${usergroup}`,

    apply: (event) =>
      event.type === 'access.revoke'
        ? locked('removing a member from', () => remove(event.user.slack_id))
        : locked('adding a member to', async () => {
            const { members, disabled } = await admin.state(usergroup);
            // Whoever is still listed in a disabled group was left there when it was emptied.
            if (disabled) {
              await admin.enable(usergroup);
              await admin.setMembers(usergroup, [event.user.slack_id]);
              return;
            }
            if (!members.includes(event.user.slack_id)) await admin.setMembers(usergroup, [...members, event.user.slack_id]);
          }),

    check: () => locked('reading', holders),
    identify: (user) => user.slack_id,
    removeUnmanaged: (userId) => locked('removing a member from', () => remove(userId)),

    async probe() {
      try {
        await admin.state(usergroup);
        return [];
      } catch (error) {
        return [`user group ${usergroup}: ${errorMessage(error)}`];
      }
    },
  };
}
