import type { Policy } from '../domain/policy.js';
import { expandPrincipals, isNamedBy, securityTeam } from '../domain/principals.js';
import { err, ok, type Result } from '../domain/result.js';
import { DirectoryError, type Directory } from './ports.js';

/**
 * Answers "does this list of policy principals name this person?", looking up Slack user
 * groups only when the direct names do not already answer. Directory errors propagate:
 * callers fail closed.
 */
export function createMembership(deps: { policy: () => Policy; directory: Pick<Directory, 'usergroupMembers' | 'deactivated'> }) {
  /** Named directly or through a user group (group names as `within` defines them). */
  async function named(principals: readonly string[], userId: string, within: Policy): Promise<boolean> {
    const expanded = expandPrincipals(within.approver_groups, principals);
    if (expanded.users.has(userId)) return true;
    const members = new Map<string, readonly string[]>();
    for (const group of expanded.usergroups) {
      members.set(group, await deps.directory.usergroupMembers(group));
      if (isNamedBy(expanded, userId, members)) return true;
    }
    return false;
  }

  const membership = {
    /**
     * Named, and not deactivated in Slack (`users.info`): a click counts only from such a
     * person. `within`: the policy whose `approver_groups` the names refer to (default: the current one).
     */
    async names(principals: readonly string[], userId: string, within: Policy = deps.policy()): Promise<boolean> {
      if (!(await named(principals, userId, within))) return false;
      return !(await deps.directory.deactivated(userId));
    },

    /** Everyone the principals name, Slack user groups looked up: who to DM. Directory errors propagate. */
    async members(principals: readonly string[], within: Policy = deps.policy()): Promise<string[]> {
      const expanded = expandPrincipals(within.approver_groups, principals);
      const users = new Set(expanded.users);
      for (const group of expanded.usergroups) for (const u of await deps.directory.usergroupMembers(group)) users.add(u);
      return [...users].sort();
    },

    /** Whether the person is on the security team (`settings.security_team`): reviews, revoking anyone's access. */
    onSecurityTeam: (userId: string): Promise<boolean> => membership.names(securityTeam(deps.policy()), userId),

    /**
     * The security team, or why not: `what` completes "Only the security team may …". A Slack
     * error fails closed. Callers record the refusal as their own audit event.
     */
    async securityOnly(userId: string, what: string): Promise<Result<true, { reason: 'not_security' | 'directory_error'; message: string }>> {
      try {
        if (await membership.onSecurityTeam(userId)) return ok(true);
      } catch (error) {
        if (!(error instanceof DirectoryError)) throw error;
        return err({ reason: 'directory_error', message: `jitbot could not check your rights with Slack (${error.message}), so nothing changed. Try again in a minute.` });
      }
      return err({ reason: 'not_security', message: `Only the security team (\`settings.security_team\` in the access policy) may ${what}; nothing changed.` });
    },
  };
  return membership;
}

export type Membership = ReturnType<typeof createMembership>;
