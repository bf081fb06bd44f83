import type { PendingLimits } from '../domain/access-rules.js';
import type { ApprovalProgress, ApprovalRefusal, Stage } from '../domain/approval-chain.js';
import { GENESIS_HASH, type ChainCheck, type SignedCheckpoint } from '../domain/audit-chain.js';
import type { DriftFinding } from '../domain/drift.js';
import type { ExtensionVoid } from '../domain/extension-rules.js';
import type {
  ApprovalRecord,
  AuditRecord,
  BreakGlassRecord,
  DriftFindingRecord,
  ExceptionRecord,
  GrantRecord,
  RequestRecord,
  ReviewDecisionRecord,
  ReviewRecord,
} from '../domain/records.js';
import type { ExceptionCloseReason, ExceptionStatus, GrantStatus, RequestStatus, RevokeReason } from '../domain/states.js';

/**
 * The system of record, one interface whichever database keeps it (SQLite for one process,
 * PostgreSQL for several replicas: see sqlite/ and postgres/). Every method that changes state
 * is one transaction that also appends its audit event; transitions are conditional, so a lost
 * race — a double click, a Slack retry, two approvers on two replicas — changes nothing.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Resolves when the database answers (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;

  // Requests
  findRequest(id: string): Promise<RequestRecord | undefined>;
  pendingExtensionOf(grantId: string): Promise<RequestRecord | undefined>;
  approvalsOf(requestId: string): Promise<ApprovalRecord[]>;
  pendingRequestsOf(userId: string): Promise<RequestRecord[]>;
  requestsSince(since: number): Promise<RequestRecord[]>;
  listRequests(filter: RequestFilter, after: PageCursor | undefined, limit: number): Promise<RequestRecord[]>;
  pendingWithoutApprovalMessage(createdBefore: number, limit: number): Promise<RequestRecord[]>;
  pendingCreatedBefore(createdBefore: number, limit: number): Promise<RequestRecord[]>;
  pendingKinds(): Promise<PendingKind[]>;
  pendingOfKind(kind: PendingKind): Promise<{ request: RequestRecord; approvals: ApprovalRecord[] }[]>;
  pendingRequestTimers(afterCreatedAt: number, afterId: string, limit: number): Promise<RequestRecord[]>;
  dueForEscalation(resource: string, createdBefore: number, limit: number): Promise<RequestRecord[]>;
  setApprovalMessage(id: string, channel: string, ts: string): Promise<void>;
  createRequest(request: NewRequest): Promise<RequestRecord>;
  /**
   * A new pending request, unless its requester already has as many waiting as `limits` allow:
   * then nothing is written. Counted and inserted in one transaction, so a burst cannot slip past.
   */
  createRequestWithinLimits(request: NewRequest, limits: PendingLimits): Promise<CreateWithinLimits>;
  approve(input: ApproveInput): Promise<ApproveOutcome>;
  /** deny (an approver), cancel (the requester) or lapse: undefined when no longer pending. */
  closeRequest(id: string, to: 'denied' | 'cancelled' | 'lapsed', by: string, at: number, reason?: string): Promise<RequestRecord | undefined>;
  markEscalated(id: string, to: readonly string[], at: number): Promise<RequestRecord | undefined>;

  // Grants
  findGrant(id: string): Promise<GrantRecord | undefined>;
  activeGrantsOf(userId: string): Promise<GrantRecord[]>;
  /** The holder's other grants that end after `now`, but not `exceptId`. */
  outlastingGrantsOf(userId: string, now: number, exceptId: string): Promise<{ id: string; resource: string }[]>;
  liveGrantSetups(): Promise<Pick<GrantRecord, 'status' | 'grantedAt' | 'provisionedAt' | 'provisionError'>[]>;
  liveGrants(): Promise<GrantRecord[]>;
  liveGrantsOn(resources: readonly string[]): Promise<GrantRecord[]>;
  listGrants(filter: GrantFilter, after: PageCursor | undefined, limit: number): Promise<GrantRecord[]>;
  grantsDueForRevocation(now: number, limit: number): Promise<GrantRecord[]>;
  grantsNeverQueued(grantedBefore: number, now: number, limit: number): Promise<GrantRecord[]>;
  activeGrantTimers(afterExpiresAt: number, afterId: string, limit: number): Promise<GrantTimer[]>;
  markProvisioned(grantId: string, at: number): Promise<GrantRecord | undefined>;
  /** A failed setup attempt; the last one (`final`) makes the grant provision_failed, audited. Undefined when it no longer waits for setup. */
  markProvisionFailed(grantId: string, error: string, at: number, final: boolean): Promise<GrantRecord | undefined>;
  requestEnd(grantId: string, reason: RevokeReason, by: string, at: number): Promise<GrantRecord | undefined>;
  /** Incident revoke-all: every active grant in scope marked to end, each audited, and one event for the act, in one transaction. */
  requestEndAll(input: { scope: RevokeScope; by: string; at: number; reason: string; details: Record<string, unknown> }): Promise<GrantRecord[]>;
  markRevoked(grantId: string, reason: RevokeReason, by: string, at: number): Promise<GrantRecord | undefined>;
  /**
   * Several revocations in one transaction (group commit), each with its own audit event; a row
   * per input, undefined where the grant was already revoked (so `grant.revoked` is written once).
   */
  markRevokedMany(revocations: readonly Revocation[]): Promise<(GrantRecord | undefined)[]>;
  noteRevokeError(grantId: string, error: string): Promise<void>;
  /** The overdue-revocation alert, claimed once per grant: undefined for whoever lost the claim. */
  claimRevokeAlert(grantId: string, at: number): Promise<GrantRecord | undefined>;
  setRevokeAlertMessage(grantId: string, channel: string, ts: string, at: number): Promise<void>;
  markGrantWarned(grantId: string, at: number): Promise<GrantRecord | undefined>;
  /** The holder extends within policy: same grant, a later end; undefined when it may not (any more). */
  extendGrant(input: { grantId: string; from: number; byMs: number; maxExtensions: number; by: string; at: number }): Promise<GrantRecord | undefined>;
  markRevokeFailed(grantId: string, error: string, at: number): Promise<GrantRecord | undefined>;
  /**
   * The right to call the provisioner to revoke a grant, for `holder` until `until`: taken when
   * unclaimed, already the holder's, or the other claim ran out (its replica died). One
   * conditional update, so of two replicas at once one calls the provisioner.
   */
  claimRevocation(grantId: string, claim: { holder: string; at: number; until: number }): Promise<RevocationClaim>;
  /** Gives a revocation claim up (a failed attempt), so the retry may run on any replica at once. */
  releaseRevocationClaim(grantId: string, holder: string): Promise<void>;

  // Leases: work that runs on one replica at a time (the sweep, drift checks, the audit forwarder)
  /**
   * Takes the lease `name` for `holder` until `now + ttlMs` if it is free or expired, renews it if
   * the holder has it: true when the holder has it. A holder that stops renewing loses it at expiry.
   */
  holdLease(name: string, holder: string, ttlMs: number, now: number): Promise<boolean>;
  /** Gives the lease up if the holder has it, so another replica takes it at its next try. */
  releaseLease(name: string, holder: string): Promise<void>;

  // Break-glass
  findBreakGlass(grantId: string): Promise<BreakGlassRecord | undefined>;
  unacknowledgedBreakGlass(): Promise<BreakGlassRecord[]>;
  breakGlassDueForReminder(createdBefore: number, limit: number): Promise<BreakGlassRecord[]>;
  breakGlassAwaitingReminder(afterCreatedAt: number, afterId: string, limit: number): Promise<{ id: string; createdAt: number }[]>;
  setBreakGlassAlerts(grantId: string, alerts: BreakGlassAlerts): Promise<void>;
  /** The request, approved by jitbot as break-glass, its grant, and the use to acknowledge: one transaction. */
  grantBreakGlass(request: NewRequest, details: Record<string, unknown>, newGrant: (approved: RequestRecord) => NewGrant): Promise<{ request: RequestRecord; grant: GrantRecord; use: BreakGlassRecord }>;
  acknowledgeBreakGlass(grantId: string, by: string, at: number): Promise<BreakGlassRecord | undefined>;
  markBreakGlassReminded(grantId: string, at: number): Promise<BreakGlassRecord | undefined>;

  // Opt-out exceptions
  findException(id: string): Promise<ExceptionRecord | undefined>;
  liveExceptionsOf(userId: string): Promise<ExceptionRecord[]>;
  listExceptions(options: { all: boolean }): Promise<ExceptionRecord[]>;
  countOpenExceptions(): Promise<number>;
  pendingExceptionResources(): Promise<string[]>;
  pendingExceptionsOn(resource: string): Promise<ExceptionRecord[]>;
  openExceptionsIn(scope: RevokeScope): Promise<ExceptionRecord[]>;
  pageExceptions(filter: ExceptionFilter, after: PageCursor | undefined, limit: number): Promise<ExceptionRecord[]>;
  exceptionsDueToClose(now: number, limit: number): Promise<ExceptionRecord[]>;
  openExceptionTimers(afterEndsAt: number, afterId: string, limit: number): Promise<ExceptionTimer[]>;
  pendingExceptionsWithoutApprovalMessage(createdBefore: number, limit: number): Promise<ExceptionRecord[]>;
  setExceptionApprovalMessage(id: string, channel: string, ts: string): Promise<void>;
  createException(exception: NewException): Promise<CreateExceptionOutcome>;
  openException(input: { id: string; approverId: string; at: number; newGrant: (exception: ExceptionRecord) => NewGrant }): Promise<OpenExceptionOutcome>;
  denyException(id: string, by: string, at: number): Promise<ExceptionRecord | undefined>;
  closeException(id: string, reason: ExceptionCloseReason, by: string, at: number): Promise<ClosedException | undefined>;
  markExceptionWarned(id: string, at: number): Promise<ExceptionRecord | undefined>;
  /** A request granted at once under its requester's open auto-approve exception; undefined when there is none. */
  grantUnderException(
    request: NewRequest,
    newGrant: (approved: RequestRecord, exception: ExceptionRecord) => NewGrant,
  ): Promise<{ request: RequestRecord; grant: GrantRecord; exception: ExceptionRecord } | undefined>;

  // Security reviews
  findReview(id: string): Promise<ReviewRecord | undefined>;
  reviewDecisions(reviewId: string): Promise<ReviewDecisionRecord[]>;
  pageReviews(filter: ReviewFilter, after: PageCursor | undefined, limit: number): Promise<ReviewRecord[]>;
  setReviewMessage(id: string, channel: string, ts: string): Promise<void>;
  createReview(review: NewReview, counts: Record<string, number>): Promise<ReviewRecord>;
  recordReviewDecision(decision: NewReviewDecision, resource: string): Promise<RecordDecisionOutcome>;

  // Drift
  openDriftFindings(): Promise<DriftFindingRecord[]>;
  markDriftAlerted(id: string, at: number): Promise<void>;
  syncDrift(input: { target: string; resource: string; findings: readonly DriftFinding[]; at: number }): Promise<DriftSync>;
  driftRemoved(id: string, at: number): Promise<DriftFindingRecord | undefined>;

  // Audit trail
  /** An audit event with no state change: refused clicks and commands. */
  recordEvent(event: AuditEvent): Promise<void>;
  listAuditEvents(filter: AuditFilter, afterSeq: number, limit: number): Promise<AuditRecord[]>;
  auditEventAt(seq: number): Promise<AuditRecord | undefined>;
  auditHead(): Promise<Position | undefined>;
  /** Walks the whole chain; `ok: false` names the first event that does not verify. */
  verifyAuditChain(): Promise<ChainCheck>;
  /** Where the chain stood, signed with the audit key, to be kept outside the database. */
  auditCheckpoint(position: Position, at: number): SignedCheckpoint;
  auditPosition(stream: string): Promise<PositionCheck>;
  markAuditDelivered(stream: string, position: Position, at: number): Promise<void>;
  noteAuditDeliveryError(stream: string, error: string, at: number): Promise<void>;
  /** An operator puts a stream's position after `seq` (0: from the start), e.g. after the forwarder refused it. */
  resumeAuditForwarding(stream: string, afterSeq: number, by: string, at: number): Promise<Position | undefined>;

  // Policy versions
  policyText(version: string): Promise<string | undefined>;
  rememberPolicy(version: string, text: string, at: number): Promise<void>;
  /** An accepted change of the access rules: the new version kept, and the change audited. */
  policyChanged(change: { from: string; to: string; text: string; at: number; details: Record<string, unknown> }): Promise<void>;

  // App Home viewers
  homeOpened(userId: string, at: number): Promise<void>;
  homeViewersSince(since: number): Promise<string[]>;

  /**
   * Whether a Slack delivery is new: none of its keys (signature, trigger_id, event_id) seen since
   * `forgetBefore`. A new one's keys are remembered in the same transaction, so of two copies
   * arriving at once, on one replica or two, exactly one is new.
   */
  firstDelivery(keys: readonly string[], at: number, forgetBefore: number): Promise<boolean>;
}

/** A page of a listing ordered by (time, id) starts after this. */
export interface PageCursor {
  at: number;
  id: string;
}

/** Whose access an act covers: one resource, one person, both or (both absent) everyone. */
export interface RevokeScope {
  resource?: string | undefined;
  userId?: string | undefined;
}

type NewRecord<R, Given extends keyof R> = Pick<R, Given> & Partial<Omit<R, Given>>;

export type NewRequest = NewRecord<RequestRecord, 'id' | 'requesterId' | 'resource' | 'durationMs' | 'reason' | 'policyVersion' | 'createdAt'>;
export type NewGrant = NewRecord<GrantRecord, 'id' | 'userId' | 'resource' | 'reason' | 'grantedAt' | 'expiresAt'>;
export type NewException = NewRecord<ExceptionRecord, 'id' | 'userId' | 'resource' | 'mode' | 'durationMs' | 'reason' | 'policyVersion' | 'createdAt'>;
export type NewReview = NewRecord<ReviewRecord, 'id' | 'trigger' | 'createdBy' | 'createdAt' | 'since' | 'until' | 'report'>;
export type NewReviewDecision = NewRecord<ReviewDecisionRecord, 'reviewId' | 'subjectType' | 'subjectId' | 'decision' | 'decidedBy' | 'decidedAt'>;

export type BreakGlassAlerts = Pick<BreakGlassRecord, 'securityChannel' | 'securityTs' | 'resourceChannel' | 'resourceTs'>;

export interface AuditEvent {
  at: number;
  /** A Slack user ID, or `jitbot` for the bot's own actions. */
  actor: string;
  /** `request.created`, `grant.revoked`, `decision.refused`, … */
  action: string;
  subjectType: 'request' | 'grant' | 'exception' | 'user' | 'policy' | 'review' | 'system';
  subjectId: string;
  resource?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

/** Filters of the audit listing (admin API, exports). */
export interface AuditFilter {
  actor?: string | undefined;
  action?: string | undefined;
  subjectId?: string | undefined;
  resource?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
}

/** Filters of the grant listing; times are on `granted_at`. */
export interface GrantFilter {
  userId?: string | undefined;
  resource?: string | undefined;
  status?: GrantStatus | undefined;
  since?: number | undefined;
  until?: number | undefined;
}

/** Filters of the request listing; times are on `created_at`. */
export interface RequestFilter {
  userId?: string | undefined;
  resource?: string | undefined;
  status?: RequestStatus | undefined;
  since?: number | undefined;
  until?: number | undefined;
}

/** Filters of the exception listing; times are on `created_at`. */
export interface ExceptionFilter {
  userId?: string | undefined;
  resource?: string | undefined;
  status?: ExceptionStatus | undefined;
  since?: number | undefined;
  until?: number | undefined;
}

export interface ReviewFilter {
  createdBy?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
}

/**
 * Pending requests alike for an approver: judged by the same rules (one resource of one
 * policy version), escalated or not (escalation adds approvers).
 */
export interface PendingKind {
  policyVersion: string;
  resource: string;
  escalated: boolean;
}

export interface GrantTimer {
  id: string;
  /** When it starts: provisioning waits until then (scheduled access). */
  grantedAt: number;
  expiresAt: number;
  /** Set up already, or given up on (`provision_failed`): no provisioning job. */
  provisioned: boolean;
  /** The holder was already told it ends soon. */
  warned: boolean;
}

export interface ExceptionTimer {
  id: string;
  opensAt: number;
  endsAt: number;
  warned: boolean;
}

export type { ChainCheck };

/** A place in the audit chain: an event's seq and hash (seq 0 and the genesis hash before the first). */
export interface Position {
  seq: number;
  hash: string;
}

export const AUDIT_START: Position = { seq: 0, hash: GENESIS_HASH };

/** Where an audit stream stands, if its signed position can be trusted. */
export type PositionCheck = { ok: true; position: Position } | { ok: false; seq: number; problem: string };

export interface Revocation {
  grantId: string;
  reason: RevokeReason;
  by: string;
  at: number;
  /** Another live grant that still gives the same access, so the provisioner was not called. */
  coveredBy?: string | undefined;
}

export type RevocationClaim =
  | { kind: 'claimed'; grant: GrantRecord }
  /** Another replica is revoking it; its claim runs out at `until`. */
  | { kind: 'held'; by: string; until: number }
  /** Revoked already, or gone. */
  | { kind: 'ended' };

export interface ApproveInput {
  requestId: string;
  approverId: string;
  at: number;
  stages: readonly Stage[];
  /** Stages whose approver list names this person (resolved by the caller, Slack groups included). */
  approverStages: ReadonlySet<number>;
  selfApproval: boolean;
  /** The resource's `max_extensions`: an extension request counts against it too. */
  maxExtensions: number;
  newGrant: (request: RequestRecord) => NewGrant;
}

export type ApproveOutcome =
  | { kind: 'not_found' }
  | { kind: 'not_pending'; request: RequestRecord }
  | { kind: 'refused'; refusal: ApprovalRefusal; request: RequestRecord }
  | { kind: 'recorded'; request: RequestRecord; progress: ApprovalProgress }
  | { kind: 'approved'; request: RequestRecord; grant: GrantRecord }
  /** An extension request fully approved: the grant it extends, with its new end. */
  | { kind: 'extended'; request: RequestRecord; grant: GrantRecord }
  /** An extension request whose grant can no longer be extended: withdrawn by jitbot, nothing approved. */
  | { kind: 'withdrawn'; request: RequestRecord; reason: ExtensionVoid };

export type CreateWithinLimits = { kind: 'created'; request: RequestRecord } | { kind: 'limit_reached'; limit: keyof PendingLimits };

export type CreateExceptionOutcome = { kind: 'created'; exception: ExceptionRecord } | { kind: 'duplicate'; existing: ExceptionRecord };

export type OpenExceptionOutcome =
  | { kind: 'not_found' }
  | { kind: 'not_pending'; exception: ExceptionRecord }
  | { kind: 'self_approval'; exception: ExceptionRecord }
  | { kind: 'opened'; exception: ExceptionRecord; standingGrant: GrantRecord | undefined };

export interface ClosedException {
  exception: ExceptionRecord;
  /** Standing access that must now be revoked; already marked so in the database. */
  endedGrants: GrantRecord[];
}

export type RecordDecisionOutcome = { kind: 'recorded'; decision: ReviewDecisionRecord } | { kind: 'already_decided'; decision: ReviewDecisionRecord };

export interface DriftSync {
  /** Found for the first time: to be alerted. */
  found: DriftFindingRecord[];
  /** Open and seen again. */
  still: DriftFindingRecord[];
  /** No longer seen: resolved as gone. */
  gone: DriftFindingRecord[];
}
