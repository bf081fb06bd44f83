import type { Policy } from './policy.js';

/** Who a list of policy principals names: user IDs directly, and Slack user groups to look up. */
export interface ExpandedPrincipals {
  users: ReadonlySet<string>;
  usergroups: readonly string[];
}

export function expandPrincipals(
  groups: Policy['approver_groups'],
  principals: readonly string[],
): ExpandedPrincipals {
  const users = new Set<string>();
  const usergroups = new Set<string>();
  for (const principal of principals) {
    const group = groups[principal];
    if (group === undefined) users.add(principal);
    else if ('users' in group) group.users.forEach((u) => users.add(u));
    else usergroups.add(group.usergroup);
  }
  return { users, usergroups: [...usergroups] };
}

/** Membership when every user group's members are known (the caller fetched them). */
export function isNamedBy(
  expanded: ExpandedPrincipals,
  userId: string,
  usergroupMembers: ReadonlyMap<string, readonly string[]>,
): boolean {
  if (expanded.users.has(userId)) return true;
  return expanded.usergroups.some((g) => usergroupMembers.get(g)?.includes(userId) ?? false);
}

/**
 * Who the policy trusts with security reviews and revoking anyone's access:
 * `settings.security_team`, else the approver group named `security`; nobody when neither exists.
 */
export function securityTeam(policy: Pick<Policy, 'settings' | 'approver_groups'>): readonly string[] {
  return policy.settings.security_team ?? ('security' in policy.approver_groups ? ['security'] : []);
}
