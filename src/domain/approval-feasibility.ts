import type { Policy, ResourcePolicy } from './policy.js';
import { approvalStages } from './approval-chain.js';
import { expandPrincipals } from './principals.js';

/** Members of Slack user groups, where read (`jitbot policy check --probe`); an absent group is not known. */
export type UsergroupMembers = ReadonlyMap<string, readonly string[]>;

/** The people a list names; undefined when it names a user group whose members are not known. */
function peopleNamed(policy: Policy, principals: readonly string[], members: UsergroupMembers): Set<string> | undefined {
  const { users, usergroups } = expandPrincipals(policy.approver_groups, principals);
  const people = new Set(users);
  for (const group of usergroups) {
    const known = members.get(group);
    if (!known) return undefined;
    known.forEach((u) => people.add(u));
  }
  return people;
}

interface Pool {
  required: number;
  people: ReadonlySet<string> | undefined;
}

interface Shortfall {
  stages: number[];
  required: number;
  people: string[];
}

const bits = (n: number) => n.toString(2).replace(/0/g, '').length;

/**
 * Stages that need more different people between them than they name (nobody approves twice,
 * so this is Hall's condition): the smallest such set, or undefined when every set has enough.
 * `without` is left out of every stage (the requester, who never approves their own).
 */
function shortfall(pools: readonly Pool[], without?: string): Shortfall | undefined {
  const sets = Array.from({ length: 2 ** pools.length - 1 }, (_, i) => i + 1).sort((a, b) => bits(a) - bits(b));
  for (const set of sets) {
    const chosen = pools.flatMap((pool, i) => ((set >> i) & 1 ? [{ pool, i }] : []));
    if (chosen.some(({ pool }) => pool.people === undefined)) continue;
    const people = new Set(chosen.flatMap(({ pool }) => [...(pool.people ?? [])].filter((p) => p !== without)));
    const required = chosen.reduce((sum, { pool }) => sum + pool.required, 0);
    if (people.size < required) return { stages: chosen.map(({ i }) => i), required, people: [...people].sort() };
  }
  return undefined;
}

/**
 * A finding about a policy key: its path, and what is wrong there. An `error` means nobody's
 * request could ever be approved; a `warning`, that some requesters' could not.
 */
export interface PolicyFinding {
  severity: 'error' | 'warning';
  path: (string | number)[];
  message: string;
}

const few = (people: readonly string[], other = '') =>
  people.length === 0 ? `nobody${other ? ' else' : ''} could approve` : `only ${people.length} ${other}${people.length === 1 ? 'person' : 'people'} could approve: ${people.join(', ')}`;
const approvals = (n: number) => (n === 1 ? '1 approval' : `${n} approvals`);

/**
 * Why a resource's requests (or some requesters' requests) could never be approved, at the key to change;
 * [] when they can, or when that depends on Slack user groups whose members are not known.
 * Escalation's `to` counts at every stage, as it may decide at whichever stage a request stands.
 */
export function unworkableApprovals(policy: Policy, name: string, resource: ResourcePolicy, members: UsergroupMembers = new Map()): PolicyFinding[] {
  const escalated = resource.escalation ? peopleNamed(policy, resource.escalation.to, members) : new Set<string>();
  const stages = approvalStages(resource);
  const pools: Pool[] = stages.map((s) => {
    const people = peopleNamed(policy, s.approvers, members);
    return { required: s.approvalsRequired, people: people && escalated ? new Set([...people, ...escalated]) : undefined };
  });
  // Enough stages to name in words, few enough to try every set of them.
  if (pools.length > 12) return [];
  const at = ['resources', name];
  const what = (s: Shortfall) => {
    if (!resource.stages) return { path: [...at, 'approvals_required'], words: `approvals_required is ${s.required}` };
    const [only] = s.stages;
    if (s.stages.length === 1 && only !== undefined) return { path: [...at, 'stages', only, 'approvals_required'], words: `stage ${only + 1} needs ${approvals(s.required)}` };
    return { path: [...at, 'stages'], words: `stages ${s.stages.map((i) => i + 1).join(' and ')} need ${s.required} different people between them (nobody approves twice)` };
  };

  const overall = shortfall(pools);
  if (overall) {
    const { path, words } = what(overall);
    return [{ severity: 'error', path, message: `${words}, but ${few(overall.people)}${resource.escalation ? ' (escalation.to included)' : ''}` }];
  }
  if (resource.self_approval || !resource.requesters) return [];
  // Everyone who may ask and could approve: their own request needs the others.
  const named = expandPrincipals(policy.approver_groups, resource.requesters);
  const requesters = new Set([...named.users, ...named.usergroups.flatMap((g) => members.get(g) ?? [])]);
  const everyoneKnown = named.usergroups.every((g) => members.has(g));
  const stuck = [...requesters].sort().flatMap((requester) => {
    const short = shortfall(pools, requester);
    return short ? [{ requester, short }] : [];
  });
  // Only when everyone who may ask is stuck does the resource not work at all.
  const severity = everyoneKnown && stuck.length === requesters.size ? 'error' : 'warning';
  return stuck.map(({ requester, short }) => ({
    severity,
    path: [...at, 'requesters'],
    message: `a request by ${requester} could never be approved: ${what(short).words}, the requester never approves their own (self_approval is false), and ${few(short.people, 'other ')}`,
  }));
}
