/** Drift: access at a provisioner that the grants do not explain, or grants whose access is gone. */
import type { GrantStatus } from './states.js';

export const DRIFT_KINDS = ['unmanaged', 'missing'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface DriftFinding {
  kind: DriftKind;
  /** Who, as the provisioner names them (a login, a Slack user ID). */
  identity: string;
  /** For `missing`: the grant whose access is gone, and its holder. */
  grantId: string | null;
  userId: string | null;
}

/** A live grant as drift detection sees it, with the identity its holder has at the target. */
export interface HeldGrant {
  id: string;
  userId: string;
  identity: string | undefined;
  status: GrantStatus;
  provisionedAt: number | null;
  endRequested: boolean;
  expiresAt: number;
}

/**
 * Compares who holds the access (`actual`, read between two reads of the grants) with the
 * grants. Unmanaged: a holder no live grant in either read explains ("granted outside
 * jitbot"). Missing: a grant live in both reads, provisioned, not ending and not yet due,
 * whose holder does not have the access. Grants changing while we looked are given the
 * benefit of the doubt: the next check sees them settled.
 */
export function compareAccess(input: { actual: readonly string[]; before: readonly HeldGrant[]; after: readonly HeldGrant[]; now: number }): DriftFinding[] {
  const holders = new Set(input.actual);
  const explained = new Set([...input.before, ...input.after].flatMap((g) => (g.identity === undefined ? [] : [g.identity])));
  const settled = new Set(input.before.map((g) => g.id));
  const unmanaged = [...holders].filter((identity) => !explained.has(identity)).sort();
  const missing = input.after.filter(
    (g) =>
      settled.has(g.id) &&
      g.status === 'active' &&
      g.provisionedAt !== null &&
      !g.endRequested &&
      g.expiresAt > input.now &&
      g.identity !== undefined &&
      !holders.has(g.identity),
  );
  return [
    ...unmanaged.map((identity) => ({ kind: 'unmanaged' as const, identity, grantId: null, userId: null })),
    ...missing.map((g) => ({ kind: 'missing' as const, identity: g.identity ?? '', grantId: g.id, userId: g.userId })),
  ];
}
