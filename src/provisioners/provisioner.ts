import { redactSecrets } from '../domain/redact.js';
import type { RevokeReason } from '../domain/states.js';

/** The grant description every provisioner receives: the webhook body (docs/provisioners.md). */
export interface AccessEvent {
  type: 'access.grant' | 'access.extend' | 'access.revoke';
  grant_id: string;
  /** Null only for the standing grant of an opt-out exception, which no request asked for. */
  request_id: string | null;
  /** The opt-out exception the grant was made under, if any. */
  exception_id: string | null;
  resource: string;
  user: { slack_id: string; email: string | null };
  granted_at: string;
  expires_at: string;
  reason: string;
  revoke_reason: RevokeReason | null;
}

export type AccessAction = 'grant' | 'extend' | 'revoke';

export const ACTION_OF: Record<AccessEvent['type'], AccessAction> = {
  'access.grant': 'grant',
  'access.extend': 'extend',
  'access.revoke': 'revoke',
};

/** What a resource's provisioner gives access to: its `target`, else the resource itself. */
export function targetOf(provisioner: Pick<Provisioner, 'target'> | undefined, resource: string): string {
  return provisioner?.target ?? `resource:${resource}`;
}

/**
 * The account a person gets at a provisioner's target: their own Slack identity or email, as
 * the provisioner is given (nothing to choose), a named account (a PostgreSQL login, say), or
 * none, when the provisioner maps nobody to this person.
 */
export type Account = { kind: 'as_person' } | { kind: 'named'; identity: string; at: string } | { kind: 'unmapped'; at: string };

export function accountOf(provisioner: Pick<Provisioner, 'type' | 'identify'> | undefined, user: AccessEvent['user']): Account {
  if (!provisioner?.identify) return { kind: 'as_person' };
  const identity = provisioner.identify(user);
  if (identity === undefined) return { kind: 'unmapped', at: provisioner.type };
  return identity === user.slack_id ? { kind: 'as_person' } : { kind: 'named', identity, at: provisioner.type };
}

/**
 * Makes access appear and disappear somewhere. Each call is one attempt: it resolves when
 * done and throws ProvisionerError when not; the caller (a BullMQ job) retries with backoff.
 * Implementations must be idempotent: the same event may be delivered more than once.
 */
export interface Provisioner {
  readonly type: string;
  apply(event: AccessEvent): Promise<void>;
  /**
   * What the access is (a role in one database, one user group). Grants of one person whose
   * provisioners name the same target cover each other: revoking one leaves the access while
   * another is live. Default: the resource.
   */
  readonly target?: string;
  /** Drift detection: the identities that hold the access now (logins, Slack user IDs). */
  check?(): Promise<readonly string[]>;
  /** The identity a person has at the target, comparable with what `check` returns. */
  identify?(user: AccessEvent['user']): string | undefined;
  /** Removes access held without a grant (`revoke_unmanaged: true`). */
  removeUnmanaged?(identity: string): Promise<void>;
  /** `jitbot policy check --probe`: what is wrong reaching the target; empty when all is well. */
  probe?(): Promise<string[]>;
  /** Releases connections at shutdown. */
  close?(): Promise<void>;
}

/**
 * A failed attempt, in the provisioner's own words, redacted (URLs as origin and path, no
 * credentials): it is stored, audited, logged and shown. Text quoted from outside jitbot (a
 * receiver's answer, stderr, a driver's or a module's message) goes in through
 * `quotedFromOutside` and is marked `quotesOutside`: only jitbot's own words reach the
 * requester. `permanent` marks what retrying cannot fix (a login, role or group that does not
 * exist): it is told at once and retried less often.
 */
export class ProvisionerError extends Error {
  override readonly name = 'ProvisionerError';
  readonly permanent: boolean;
  readonly quotesOutside: boolean;
  constructor(
    readonly provisionerType: string,
    message: string,
    options?: { cause?: unknown; permanent?: boolean; quotesOutside?: boolean },
  ) {
    super(redactSecrets(`${provisionerType}: ${message}`), options?.cause === undefined ? undefined : { cause: options.cause });
    this.permanent = options?.permanent ?? false;
    this.quotesOutside = options?.quotesOutside ?? false;
  }
}
