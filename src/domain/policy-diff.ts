import { Duration } from 'luxon';
import type { Policy, ResourcePolicy } from './policy.js';
import { compactDuration } from './duration.js';

/** A policy value as people write it: durations as `2h`, not luxon objects. */
function plain(value: unknown): unknown {
  if (Duration.isDuration(value)) return compactDuration(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value ?? null;
}
const same = (a: unknown, b: unknown) => JSON.stringify(plain(a)) === JSON.stringify(plain(b));

function listChange(what: string, before: readonly string[] = [], after: readonly string[] = []): string[] {
  const added = after.filter((x) => !before.includes(x));
  const removed = before.filter((x) => !after.includes(x));
  if (added.length === 0 && removed.length === 0) return [];
  return [`${what}: ${[...added.map((x) => `+${x}`), ...removed.map((x) => `-${x}`)].join(' ')}`];
}

/** The parts of a resource a reader of a policy change cares about most, first; any other part follows. */
const RESOURCE_PARTS: readonly (keyof ResourcePolicy)[] = ['approvers', 'approvals_required', 'stages', 'requesters', 'self_approval', 'max_duration', 'default_duration', 'reason_pattern', 'escalation', 'break_glass', 'opt_out', 'confirm_approval', 'revoke_unmanaged', 'channel', 'provisioner'];

/** Every part either version of a resource sets: a new policy key is never left out of the summary. */
function partsOf(a: ResourcePolicy, b: ResourcePolicy): (keyof ResourcePolicy)[] {
  const others = (Object.keys({ ...a, ...b }) as (keyof ResourcePolicy)[]).filter((k) => !RESOURCE_PARTS.includes(k)).sort();
  return [...RESOURCE_PARTS, ...others];
}

/**
 * A readable summary of what changed between two policies: resources added and removed,
 * who may approve or request, limits, groups and settings. One line per change.
 */
export function describePolicyChange(before: Policy, after: Policy): string[] {
  const lines: string[] = [];
  const names = (p: Policy) => Object.keys(p.resources).sort();
  lines.push(...listChange('resources', names(before), names(after)));
  for (const name of names(after).filter((n) => n in before.resources)) {
    const a = before.resources[name];
    const b = after.resources[name];
    if (!a || !b) continue;
    for (const part of partsOf(a, b)) {
      if (part === 'approvers' || part === 'requesters') {
        lines.push(...listChange(`resources.${name}.${part}`, a[part], b[part]));
      } else if (!same(a[part], b[part])) {
        lines.push(`resources.${name}.${part}: ${JSON.stringify(plain(a[part]))} → ${JSON.stringify(plain(b[part]))}`);
      }
    }
  }
  const groups = (p: Policy) => Object.keys(p.approver_groups).sort();
  lines.push(...listChange('approver_groups', groups(before), groups(after)));
  for (const name of groups(after).filter((g) => g in before.approver_groups)) {
    const a = before.approver_groups[name];
    const b = after.approver_groups[name];
    if (!a || !b || same(a, b)) continue;
    if ('users' in a && 'users' in b) lines.push(...listChange(`approver_groups.${name}`, a.users, b.users));
    else lines.push(`approver_groups.${name}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  }
  for (const key of Object.keys({ ...before.settings, ...after.settings }).sort() as (keyof Policy['settings'])[]) {
    if (!same(before.settings[key], after.settings[key])) {
      lines.push(`settings.${key}: ${JSON.stringify(plain(before.settings[key]))} → ${JSON.stringify(plain(after.settings[key]))}`);
    }
  }
  return lines;
}
