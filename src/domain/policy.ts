import type { Duration } from 'luxon';
import type { OptOutMode } from './states.js';

/**
 * The access rules as the domain reads them: who may ask for what, who approves, for how long,
 * and how access is set up. config/policy-schema.ts parses policy.yaml into exactly this shape
 * (and fails to compile if the two drift apart). Defaults are filled in; durations are parsed.
 */
export interface Policy {
  settings: PolicySettings;
  /** Named lists of approvers: people by user ID, or a Slack user group resolved live. */
  approver_groups: Record<string, ApproverGroup>;
  resources: Record<string, ResourcePolicy>;
}

export type ApproverGroup = { users: string[] } | { usergroup: string };

export interface PolicySettings {
  /** The fallback when a person's own Slack time zone is unknown. */
  timezone: string;
  security_channel?: string | undefined;
  /** Who runs security reviews and incident revokes; default: the `security` approver group, if there is one. */
  security_team?: string[] | undefined;
  expiry_warning: Duration;
  pending_timeout: Duration;
  reconcile_interval: Duration;
  review_schedule: 'off' | 'daily' | 'weekly';
  usergroup_cache: Duration;
  /** Requests one person may have waiting for approval on one resource, and on all together. */
  max_pending_per_resource: number;
  max_pending_per_person: number;
  /** Streams every audit event, in order, to a SIEM. */
  audit_webhook?: { url: string; secret_env: string; timeout: Duration } | undefined;
}

/** One approval stage: `approvals_required` distinct people among `approvers`. */
export interface StagePolicy {
  approvers: string[];
  approvals_required: number;
}

export interface ResourcePolicy {
  description: string;
  /** The Slack channel its approval requests are posted in. */
  channel: string;
  approvers?: string[] | undefined;
  approvals_required: number;
  self_approval: boolean;
  /** Who may ask; absent: anyone in the workspace. */
  requesters?: string[] | undefined;
  max_duration: Duration;
  default_duration?: Duration | undefined;
  reason_pattern?: string | undefined;
  /** A multi-stage chain, in place of approvers / approvals_required. */
  stages?: StagePolicy[] | undefined;
  escalation?: { after: Duration; to: string[] } | undefined;
  break_glass?: { allowed: boolean; eligible?: string[] | undefined; max_duration?: Duration | undefined } | undefined;
  opt_out?:
    | { allowed: boolean; eligible?: string[] | undefined; approvers?: string[] | undefined; max_duration: Duration; mode: OptOutMode }
    | undefined;
  provisioner: ProvisionerConfig;
  /** How often a holder may extend a grant within max_duration. */
  max_extensions: number;
  /** Approve asks for confirmation before it counts. */
  confirm_approval: boolean;
  /** Drift detection removes access found at the provisioner without a grant. */
  revoke_unmanaged: boolean;
}

/** How a resource's access is set up and removed; secrets are named by variable, never given. */
export type ProvisionerConfig =
  | { type: 'webhook'; url: string; secret_env: string; timeout: Duration }
  | { type: 'command'; run: string[]; timeout: Duration; pass_env: string[] }
  | {
      type: 'postgres';
      connection_env: string;
      role: string;
      login: 'email_localpart' | Record<string, string>;
      /** With `email_localpart`, only emails of these domains map to a login. */
      email_domain?: string[] | undefined;
      terminate_sessions: boolean;
      valid_until: boolean;
    }
  | { type: 'slack_usergroup'; usergroup: string }
  | { type: 'module'; path: string; options: Record<string, unknown> }
  | { type: 'none' };
