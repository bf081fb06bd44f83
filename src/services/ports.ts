import type { DateTime } from 'luxon';
import type { ApprovalProgress, RequestTimers, Stage } from '../domain/approval-chain.js';
import type { ExpandedPrincipals } from '../domain/principals.js';
import type { RevokeReason } from '../domain/states.js';
import type { BreakGlassRecord, DriftFindingRecord, ExceptionRecord, GrantRecord, RequestRecord, ReviewDecisionRecord, ReviewRecord } from '../domain/records.js';
import type { ReviewReport } from '../domain/review-report.js';
import type { Account } from '../provisioners/provisioner.js';
import type { SignedCheckpoint } from '../domain/audit-chain.js';

/** What services need to know about Slack people. Lookups may throw DirectoryError. */
export interface Directory {
  /** The user's Slack time zone and email, or defaults when Slack does not say. */
  userProfile(userId: string): Promise<{ tz: string | undefined; email: string | null; deleted: boolean }>;
  usergroupMembers(usergroupId: string): Promise<readonly string[]>;
  /** Whether the Slack account is deactivated; re-read as often as user groups (`usergroup_cache`). */
  deactivated(userId: string): Promise<boolean>;
}

export class DirectoryError extends Error {
  override readonly name = 'DirectoryError';
}

/** An open exception's window. */
export interface ExceptionWindow {
  id: string;
  opensAt: number;
  endsAt: number;
}

/** The account a resource's provisioner would grant this person (see accountOf). */
export type AccountLookup = (resource: string, user: { slack_id: string; email: string | null }) => Account;

/** Timers and work queued in Redis (BullMQ). Every call is idempotent per grant or exception. */
export interface Scheduler {
  /** Provision at its start (now, or a scheduled start) and revoke at expiry. */
  scheduleGrant(grant: Pick<GrantRecord, 'id' | 'grantedAt' | 'expiresAt'>): Promise<void>;
  /** Tell the provisioner about an extension (`access.extend`) and warn again before the new end. */
  scheduleExtension(grant: Pick<GrantRecord, 'id' | 'expiresAt' | 'extensions'>): Promise<void>;
  /** Revoke as soon as possible (release, revoke, overdue, retry after failure). */
  revokeNow(grantId: string): Promise<void>;
  /** Remind the holder before the end (`expiry_warning`) and close the exception at its end. */
  scheduleException(exception: ExceptionWindow): Promise<void>;
  /** Lapse the request at `lapseAt`, and escalate it at `escalateAt` if given, unless a decision comes first. */
  scheduleRequest(timers: RequestTimers): Promise<void>;
  /** Bring an unacknowledged break-glass use up again at `at`. */
  scheduleBreakGlassReminder(grantId: string, at: number): Promise<void>;
  /** A decision came: the escalation timer is not needed (best effort; escalate checks again). */
  cancelEscalation(requestId: string): Promise<void>;
}

export interface ApprovalView {
  request: RequestRecord;
  resourceDescription: string;
  /** The account approving it grants: shown so the approver sees what is granted. */
  account: Account;
  /** `confirm_approval`: Approve asks "are you sure?" first. */
  confirmApproval: boolean;
  stages: readonly Stage[];
  progress: ApprovalProgress;
  approvals: readonly { approverId: string; stage: number }[];
}

export type RequestOutcome =
  | { kind: 'approved'; by: string; at: DateTime }
  | { kind: 'denied'; by: string; at: DateTime }
  | { kind: 'cancelled'; by: string; at: DateTime }
  | { kind: 'lapsed'; by: string; at: DateTime }
  /** An extension request whose grant ended (or hit `max_extensions`) before it was approved. */
  | { kind: 'withdrawn'; by: string; at: DateTime };

/** How a break-glass grant was extended: at once within `break_glass.max_duration`, or by an approved extension request. */
export type BreakGlassExtension = { byMs: number } & ({ kind: 'at_once'; withinMs: number } | { kind: 'approved'; by: string; requestId: string });

export type ExceptionOutcome = Extract<RequestOutcome, { kind: 'approved' | 'denied' }>;

/**
 * Everything people are told. Implementations never throw: a failed message is logged and
 * retried where it makes sense, and never rolls back the state change it reports.
 */
export interface Notifier {
  /** Posts the approval message; returns where it landed, or undefined if Slack refused. */
  postApprovalRequest(view: ApprovalView): Promise<{ channel: string; ts: string } | undefined>;
  updateApprovalProgress(view: ApprovalView): Promise<void>;
  closeApprovalMessage(request: RequestRecord, outcome: RequestOutcome): Promise<void>;
  requestDecided(request: RequestRecord, outcome: RequestOutcome): Promise<void>;
  /**
   * Nobody answered: `to` may now decide; a thread reply, and a DM to each of `people`.
   * Principals come expanded by the rules the request was made under.
   */
  requestEscalated(request: RequestRecord, to: ExpandedPrincipals, people: readonly string[]): Promise<void>;
  /** Stage `stage` (0-based) of `total` is reached: its approvers are told in the thread. */
  stageReached(request: RequestRecord, stage: number, total: number, approvers: ExpandedPrincipals): Promise<void>;
  accessActive(grant: GrantRecord): Promise<void>;
  /** The grant now ends later (an extension), and the provisioner has been told. */
  accessExtended(grant: GrantRecord): Promise<void>;
  /** `expiry_warning` before the end: a DM with Extend and Release. */
  accessEndingSoon(grant: GrantRecord): Promise<void>;
  accessEnded(grant: GrantRecord, reason: RevokeReason, by: string): Promise<void>;
  /**
   * The first failed attempt to set the access up: the requester is told it is not active yet,
   * and the approval message (`request`'s) shows it under the decision; an error retrying cannot
   * fix (`permanent`) goes to the security channel and the approval thread too. The requester
   * reads the error only when it is jitbot's own words (`requesterMayRead`), quoting nothing from outside.
   */
  provisioningFailing(grant: GrantRecord, error: string, request: RequestRecord | undefined, how: { permanent: boolean; requesterMayRead: boolean }): Promise<void>;
  /** jitbot gave up setting it up: the security channel, the requester, the approval message and its thread. */
  provisioningFailed(grant: GrantRecord, error: string, request: RequestRecord | undefined, how: { requesterMayRead: boolean }): Promise<void>;
  /** A later attempt set it up after all: the requester and the approval message learn it is now active. */
  provisioningRecovered(grant: GrantRecord, request: RequestRecord | undefined): Promise<void>;
  /**
   * The revocation keeps failing (overdue, or now revoke_failed): the security channel's alert,
   * posted the first time and redrawn in place after (`grant.revokeAlertTs`); where it is.
   */
  revocationFailing(grant: GrantRecord, error: string): Promise<{ channel: string; ts: string } | undefined>;
  /** A revocation that was alerted finally succeeded: the alert redrawn, and said in its thread. */
  revocationRecovered(grant: GrantRecord): Promise<void>;
  /** The loud alert: security channel and resource channel, with Acknowledge; where each landed. */
  breakGlassAlert(use: BreakGlassRecord, grant: GrantRecord): Promise<{ security?: { channel: string; ts: string }; resource?: { channel: string; ts: string } }>;
  /** Redraws both alerts: acknowledged, by whom. */
  breakGlassAcknowledged(use: BreakGlassRecord, grant: GrantRecord): Promise<void>;
  /** An hour unacknowledged: the alert again in the security channel, and a DM to each of `securityTeam`. */
  breakGlassReminder(use: BreakGlassRecord, grant: GrantRecord, securityTeam: readonly string[]): Promise<void>;
  /** A break-glass grant now ends later: announced in the security channel (else the resource's), however it was extended. */
  breakGlassExtended(use: BreakGlassRecord, grant: GrantRecord, how: BreakGlassExtension): Promise<void>;
  /** An incident revoke-all, announced in the security channel with what it ended. */
  revokedAll(actorId: string, scope: string, reason: string, counts: { grants: number; exceptions: number }): Promise<void>;
  /** An accepted change of the access rules, announced in the security channel: changing who may approve is privileged. */
  policyChanged(from: string, to: string, changes: readonly string[]): Promise<void>;
  /** Where the audit chain stands, signed, posted daily in the security channel so it is kept outside the database. */
  auditCheckpoint(checkpoint: SignedCheckpoint): Promise<void>;
  /** The audit stream to the SIEM stopped rather than skip events: the security channel is told why. */
  auditStreamStopped(problem: string): Promise<void>;
  /** Drift found at a provisioner, alerted once in the security channel. */
  driftFound(finding: DriftFindingRecord): Promise<void>;
  /** Unmanaged access removed under `revoke_unmanaged`. */
  unmanagedRemoved(finding: DriftFindingRecord): Promise<void>;

  /** Posts an exception for approval (security channel, else the resource's); where it landed. */
  postExceptionRequest(exception: ExceptionRecord, resourceDescription: string): Promise<{ channel: string; ts: string } | undefined>;
  /** Tells the resource's channel that someone asked to be exempt from approval. */
  exceptionRequested(exception: ExceptionRecord): Promise<void>;
  closeExceptionApproval(exception: ExceptionRecord, outcome: ExceptionOutcome): Promise<void>;
  exceptionDecided(exception: ExceptionRecord, outcome: ExceptionOutcome): Promise<void>;
  exceptionClosingSoon(exception: ExceptionRecord): Promise<void>;
  /** DM to the holder and a note where the exception was approved. */
  exceptionClosed(exception: ExceptionRecord): Promise<void>;
  /** Replaces the approval message: the resource's channel learns access was granted under an exception. */
  grantedUnderException(request: RequestRecord, grant: GrantRecord, exception: ExceptionRecord): Promise<void>;

  /** Posts a security review in the security channel; where it landed. */
  postReview(review: PostedReview): Promise<{ channel: string; ts: string } | undefined>;
  /** Redraws a posted review after a keep / revoke. */
  updateReview(review: PostedReview): Promise<void>;
}

/** A stored review with its report and the decisions taken on it so far. */
export interface PostedReview {
  review: ReviewRecord;
  report: ReviewReport;
  decisions: readonly ReviewDecisionRecord[];
}

/** The slice of a pino logger services use. */
export interface Log {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** How a request ended up, as counted in `jitbot_requests_total`. */
export type RequestMetricOutcome = 'requested' | 'refused' | 'granted_under_exception' | 'break_glass' | 'approved' | 'denied' | 'cancelled' | 'lapsed';

/** Counters and timings behind `GET /metrics`. Recording never throws. */
export interface Metrics {
  requestOutcome(outcome: RequestMetricOutcome): void;
  /** From asking to the final approval. */
  approvalLatency(seconds: number): void;
  /** revoked_at − expires_at of a grant that expired. */
  revocationLateness(seconds: number): void;
  provisionerCall(type: string, action: 'grant' | 'extend' | 'revoke', ok: boolean): void;
  slackError(method: string, code: string): void;
}
