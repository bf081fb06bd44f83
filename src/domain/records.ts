import type { DriftKind } from './drift.js';
import type { ExceptionCloseReason, ExceptionStatus, GrantStatus, OptOutMode, RequestStatus, ReviewDecision, ReviewTrigger, RevokeReason } from './states.js';

/**
 * What the system of record holds, as the rest of jitbot sees it, whichever database keeps it.
 * Times are milliseconds since the epoch (UTC); absent values are null.
 */

export interface RequestRecord {
  id: string;
  requesterId: string;
  requesterEmail: string | null;
  resource: string;
  durationMs: number;
  reason: string;
  status: RequestStatus;
  /** The policy it is judged by: the one it was made under. */
  policyVersion: string;
  createdAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  approvalChannel: string | null;
  approvalTs: string | null;
  /** When `escalation.to` was added as approvers because nobody answered. */
  escalatedAt: number | null;
  /** Scheduled access (`at …`): the grant starts here, not at approval. */
  startsAt: number | null;
  /** An extension beyond policy: approval moves this grant's end by `durationMs` instead of creating a grant. */
  extendsGrantId: string | null;
}

/** One person's approval of a request at one stage of its chain. */
export interface ApprovalRecord {
  requestId: string;
  approverId: string;
  stage: number;
  approvedAt: number;
}

export interface GrantRecord {
  id: string;
  /** The request it was approved for; null only for the standing grant of an exception. */
  requestId: string | null;
  /** The opt-out exception it was granted under, if any. */
  exceptionId: string | null;
  userId: string;
  userEmail: string | null;
  resource: string;
  reason: string;
  grantedAt: number;
  expiresAt: number;
  status: GrantStatus;
  provisionedAt: number | null;
  provisionError: string | null;
  /** Set by release/revoke before the provisioner is called, so a lost timer still ends it. */
  endRequestedReason: RevokeReason | null;
  endRequestedBy: string | null;
  endRequestedAt: number | null;
  revokeReason: RevokeReason | null;
  revokedAt: number | null;
  revokedBy: string | null;
  revokeError: string | null;
  /** The security channel was told the revocation is overdue and failing, and where. */
  revokeAlertedAt: number | null;
  revokeAlertChannel: string | null;
  revokeAlertTs: string | null;
  /** The replica calling the provisioner to revoke it, until when: another waits until then (or takes over after). */
  revokeClaimedBy: string | null;
  revokeClaimUntil: number | null;
  /** When the holder was told it ends soon; cleared by an extension. */
  warnedAt: number | null;
  extensions: number;
}

/** An opt-out exception: one person exempt from approval for one resource, for a bounded window. */
export interface ExceptionRecord {
  id: string;
  userId: string;
  userEmail: string | null;
  resource: string;
  mode: OptOutMode;
  durationMs: number;
  reason: string;
  status: ExceptionStatus;
  policyVersion: string;
  createdAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  /** The window, set when approved: it starts at approval, not at asking. */
  opensAt: number | null;
  endsAt: number | null;
  warnedAt: number | null;
  closeReason: ExceptionCloseReason | null;
  closedAt: number | null;
  closedBy: string | null;
  approvalChannel: string | null;
  approvalTs: string | null;
}

/** A break-glass use: unacknowledged (and on every review) until the security team acknowledges it. */
export interface BreakGlassRecord {
  grantId: string;
  requestId: string;
  userId: string;
  resource: string;
  reason: string;
  createdAt: number;
  securityChannel: string | null;
  securityTs: string | null;
  resourceChannel: string | null;
  resourceTs: string | null;
  remindedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
}

/** One event of the hash-chained audit trail, as stored. */
export interface AuditRecord {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  resource: string | null;
  reason: string | null;
  /** JSON text, exactly as hashed. */
  details: string;
  prevHash: string;
  hash: string;
}

/** A security review as it was run: its report (JSON, see review-report.ts) and where it was posted. */
export interface ReviewRecord {
  id: string;
  trigger: ReviewTrigger;
  createdBy: string;
  createdAt: number;
  since: number;
  until: number;
  report: string;
  channel: string | null;
  messageTs: string | null;
}

/** Keep or revoke on one item of a review. */
export interface ReviewDecisionRecord {
  reviewId: string;
  subjectType: 'grant' | 'exception';
  subjectId: string;
  decision: ReviewDecision;
  decidedBy: string;
  decidedAt: number;
  note: string | null;
}

/** Drift: a provisioner's state that disagrees with the grants, open until gone or revoked. */
export interface DriftFindingRecord {
  id: string;
  target: string;
  resource: string;
  kind: DriftKind;
  identity: string;
  grantId: string | null;
  userId: string | null;
  foundAt: number;
  lastSeenAt: number;
  alertedAt: number | null;
  resolvedAt: number | null;
  resolution: 'gone' | 'revoked' | null;
}
