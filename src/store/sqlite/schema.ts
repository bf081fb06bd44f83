import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { DRIFT_KINDS } from '../../domain/drift.js';
import { EXCEPTION_CLOSE_REASONS, EXCEPTION_STATUSES, GRANT_STATUSES, OPT_OUT_MODES, REQUEST_STATUSES, REVIEW_DECISIONS, REVIEW_TRIGGERS, REVOKE_REASONS } from '../../domain/states.js';
import type { ApprovalRecord, AuditRecord, BreakGlassRecord, DriftFindingRecord, ExceptionRecord, GrantRecord, RequestRecord, ReviewDecisionRecord, ReviewRecord } from '../../domain/records.js';
import type { RowIs } from '../row-is.js';

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

/** Times are integer milliseconds since the epoch (UTC). */
export const requests = sqliteTable(
  'requests',
  {
    id: text('id').primaryKey(),
    requesterId: text('requester_id').notNull(),
    requesterEmail: text('requester_email'),
    resource: text('resource').notNull(),
    durationMs: integer('duration_ms').notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: REQUEST_STATUSES }).notNull().default('pending'),
    policyVersion: text('policy_version').notNull(),
    createdAt: integer('created_at').notNull(),
    decidedAt: integer('decided_at'),
    decidedBy: text('decided_by'),
    approvalChannel: text('approval_channel'),
    approvalTs: text('approval_ts'),
    /** When `escalation.to` was added as approvers because nobody answered. */
    escalatedAt: integer('escalated_at'),
    /** Scheduled access (`at …`): the grant starts here, not at approval. */
    startsAt: integer('starts_at'),
    /** An extension beyond policy: approval moves this grant's end by `duration_ms` instead of creating a grant. */
    extendsGrantId: text('extends_grant_id'),
  },
  (t) => [
    uniqueIndex('requests_one_pending_extension').on(t.extendsGrantId).where(sql`${t.status} = 'pending' and ${t.extendsGrantId} is not null`),
    index('requests_status_created').on(t.status, t.createdAt),
    index('requests_requester_status').on(t.requesterId, t.status),
    // App Home's queues: the pending requests judged by one resource's rules of one policy version.
    index('requests_status_rules').on(t.status, t.resource, t.policyVersion, t.createdAt),
    check('requests_status_valid', sql`${t.status} in (${inList(REQUEST_STATUSES)})`),
    check('requests_duration_positive', sql`${t.durationMs} > 0`),
  ],
);

/** One row per person who approved a request, per stage; the key stops anyone counting twice. */
export const requestApprovals = sqliteTable(
  'request_approvals',
  {
    requestId: text('request_id')
      .notNull()
      .references(() => requests.id),
    approverId: text('approver_id').notNull(),
    stage: integer('stage').notNull(),
    approvedAt: integer('approved_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.approverId] })],
);

/** Opt-out exceptions: one person exempt from approval for one resource, for a bounded window. */
export const exceptions = sqliteTable(
  'exceptions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    userEmail: text('user_email'),
    resource: text('resource').notNull(),
    mode: text('mode', { enum: OPT_OUT_MODES }).notNull(),
    durationMs: integer('duration_ms').notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: EXCEPTION_STATUSES }).notNull().default('pending'),
    policyVersion: text('policy_version').notNull(),
    createdAt: integer('created_at').notNull(),
    decidedAt: integer('decided_at'),
    decidedBy: text('decided_by'),
    /** The window, set when approved: it starts at approval, not at asking. */
    opensAt: integer('opens_at'),
    endsAt: integer('ends_at'),
    warnedAt: integer('warned_at'),
    closeReason: text('close_reason', { enum: EXCEPTION_CLOSE_REASONS }),
    closedAt: integer('closed_at'),
    closedBy: text('closed_by'),
    approvalChannel: text('approval_channel'),
    approvalTs: text('approval_ts'),
  },
  (t) => [
    index('exceptions_status_ends').on(t.status, t.endsAt, t.id),
    index('exceptions_user_status').on(t.userId, t.status, t.resource),
    // At most one exception per person and resource that is asked for or running.
    uniqueIndex('exceptions_one_live').on(t.userId, t.resource).where(sql`${t.status} in ('pending', 'open')`),
    check('exceptions_status_valid', sql`${t.status} in (${inList(EXCEPTION_STATUSES)})`),
    check('exceptions_mode_valid', sql`${t.mode} in (${inList(OPT_OUT_MODES)})`),
    check('exceptions_duration_positive', sql`${t.durationMs} > 0`),
    check('exceptions_window_valid', sql`${t.endsAt} is null or ${t.endsAt} > ${t.opensAt}`),
    check('exceptions_open_has_window', sql`${t.status} in ('pending', 'denied') or ${t.endsAt} is not null`),
  ],
);

export const grants = sqliteTable(
  'grants',
  {
    id: text('id').primaryKey(),
    /** The request it was approved for; null only for the standing grant of an exception. */
    requestId: text('request_id').references(() => requests.id),
    /** The opt-out exception it was granted under (auto-approved or standing), if any. */
    exceptionId: text('exception_id').references(() => exceptions.id),
    userId: text('user_id').notNull(),
    userEmail: text('user_email'),
    resource: text('resource').notNull(),
    reason: text('reason').notNull(),
    grantedAt: integer('granted_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    status: text('status', { enum: GRANT_STATUSES }).notNull().default('active'),
    provisionedAt: integer('provisioned_at'),
    provisionError: text('provision_error'),
    /** Set by release/revoke before the provisioner is called, so a lost timer still ends it. */
    endRequestedReason: text('end_requested_reason', { enum: REVOKE_REASONS }),
    endRequestedBy: text('end_requested_by'),
    /** When release/revoke asked it to end: from then on, access that lasts is overdue. */
    endRequestedAt: integer('end_requested_at'),
    revokeReason: text('revoke_reason', { enum: REVOKE_REASONS }),
    revokedAt: integer('revoked_at'),
    revokedBy: text('revoked_by'),
    revokeError: text('revoke_error'),
    /** The security channel was told the revocation is overdue and failing (once per grant), and where, to update it. */
    revokeAlertedAt: integer('revoke_alerted_at'),
    revokeAlertChannel: text('revoke_alert_channel'),
    revokeAlertTs: text('revoke_alert_ts'),
    /** The replica calling the provisioner to revoke it, until when (a lease: another takes over after). */
    revokeClaimedBy: text('revoke_claimed_by'),
    revokeClaimUntil: integer('revoke_claim_until'),
    /** When the holder was told it ends soon (`expiry_warning`); cleared by an extension. */
    warnedAt: integer('warned_at'),
    /** How many times the holder extended it (`max_extensions`). */
    extensions: integer('extensions').notNull().default(0),
  },
  (t) => [
    uniqueIndex('grants_one_per_request').on(t.requestId),
    uniqueIndex('grants_one_standing_per_exception').on(t.exceptionId).where(sql`${t.requestId} is null`),
    index('grants_exception').on(t.exceptionId),
    index('grants_status_expires').on(t.status, t.expiresAt, t.id),
    index('grants_user_status').on(t.userId, t.status, t.expiresAt),
    index('grants_end_requested').on(t.status, t.endRequestedReason),
    check('grants_status_valid', sql`${t.status} in (${inList(GRANT_STATUSES)})`),
    check('grants_window_valid', sql`${t.expiresAt} > ${t.grantedAt}`),
    check('grants_have_a_source', sql`${t.requestId} is not null or ${t.exceptionId} is not null`),
  ],
);

/**
 * Break-glass uses: access granted at once in an emergency, loudly. Each stays unacknowledged
 * (and on every review) until the security team acknowledges it.
 */
export const breakGlassUses = sqliteTable(
  'break_glass_uses',
  {
    grantId: text('grant_id')
      .primaryKey()
      .references(() => grants.id),
    requestId: text('request_id')
      .notNull()
      .references(() => requests.id),
    userId: text('user_id').notNull(),
    resource: text('resource').notNull(),
    reason: text('reason').notNull(),
    createdAt: integer('created_at').notNull(),
    /** Where the alerts were posted (security channel, resource channel), to update them in place. */
    securityChannel: text('security_channel'),
    securityTs: text('security_ts'),
    resourceChannel: text('resource_channel'),
    resourceTs: text('resource_ts'),
    remindedAt: integer('reminded_at'),
    acknowledgedAt: integer('acknowledged_at'),
    acknowledgedBy: text('acknowledged_by'),
  },
  (t) => [index('break_glass_unacknowledged').on(t.acknowledgedAt, t.createdAt)],
);

/** Every policy the bot has run with, by version: a request is judged by the rules it was made under. */
export const policyVersions = sqliteTable('policy_versions', {
  version: text('version').primaryKey(),
  text: text('text').notNull(),
  firstLoadedAt: integer('first_loaded_at').notNull(),
});

/** Who has opened jitbot's App Home, and when last: whose home is redrawn when something concerning them changes. */
export const homeViewers = sqliteTable('home_viewers', {
  userId: text('user_id').primaryKey(),
  openedAt: integer('opened_at').notNull(),
});

/**
 * Slack deliveries seen lately, by signature and by trigger_id / event_id: a replayed or
 * redelivered one is acked and dropped. Rows older than the replay window are pruned.
 */
export const slackDeliveries = sqliteTable(
  'slack_deliveries',
  {
    key: text('key').primaryKey(),
    seenAt: integer('seen_at').notNull(),
  },
  (t) => [index('slack_deliveries_seen_at').on(t.seenAt)],
);

/** Append-only, hash-chained (see audit.ts); triggers in the migrations refuse UPDATE and DELETE. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    resource: text('resource'),
    reason: text('reason'),
    details: text('details').notNull().default('{}'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_subject').on(t.subjectType, t.subjectId), index('audit_at').on(t.at)],
);

/**
 * How far each audit stream (the `audit_webhook`) has delivered: the last event's seq and hash,
 * signed with the audit key (see domain/audit-chain.ts); owned by audit-forwarding.ts.
 */
export const auditForwarding = sqliteTable('audit_forwarding', {
  stream: text('stream').primaryKey(),
  deliveredSeq: integer('delivered_seq').notNull(),
  deliveredHash: text('delivered_hash'),
  signature: text('signature'),
  lastError: text('last_error'),
  updatedAt: integer('updated_at').notNull(),
});

/** Security reviews as they were run: the report (JSON, see domain/review-report.ts) and where it was posted. */
export const reviews = sqliteTable(
  'reviews',
  {
    id: text('id').primaryKey(),
    trigger: text('trigger', { enum: REVIEW_TRIGGERS }).notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    since: integer('since').notNull(),
    until: integer('until').notNull(),
    report: text('report').notNull(),
    channel: text('channel'),
    messageTs: text('message_ts'),
  },
  (t) => [
    index('reviews_created').on(t.createdAt, t.id),
    check('reviews_trigger_valid', sql`${t.trigger} in (${inList(REVIEW_TRIGGERS)})`),
  ],
);

/** Keep / revoke on one item of a review; one per item, so a stale second click changes nothing. */
export const reviewDecisions = sqliteTable(
  'review_decisions',
  {
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    subjectType: text('subject_type', { enum: ['grant', 'exception'] }).notNull(),
    subjectId: text('subject_id').notNull(),
    decision: text('decision', { enum: REVIEW_DECISIONS }).notNull(),
    decidedBy: text('decided_by').notNull(),
    decidedAt: integer('decided_at').notNull(),
    note: text('note'),
  },
  (t) => [
    primaryKey({ columns: [t.reviewId, t.subjectId] }),
    check('review_decisions_decision_valid', sql`${t.decision} in (${inList(REVIEW_DECISIONS)})`),
  ],
);

/**
 * Drift found by comparing a provisioner's state with the grants: open until it is seen no
 * more (`gone`) or jitbot removed the access (`revoked`). At most one open per target, kind
 * and identity, so each is alerted once.
 */
export const driftFindings = sqliteTable(
  'drift_findings',
  {
    id: text('id').primaryKey(),
    target: text('target').notNull(),
    resource: text('resource').notNull(),
    kind: text('kind', { enum: DRIFT_KINDS }).notNull(),
    identity: text('identity').notNull(),
    grantId: text('grant_id'),
    userId: text('user_id'),
    foundAt: integer('found_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    alertedAt: integer('alerted_at'),
    resolvedAt: integer('resolved_at'),
    resolution: text('resolution', { enum: ['gone', 'revoked'] }),
  },
  (t) => [
    uniqueIndex('drift_one_open').on(t.target, t.kind, t.identity).where(sql`${t.resolvedAt} is null`),
    index('drift_open').on(t.resolvedAt, t.foundAt),
    check('drift_kind_valid', sql`${t.kind} in (${inList(DRIFT_KINDS)})`),
  ],
);

/**
 * Who runs a once-at-a-time task (the sweep, the drift check, the audit forwarder…) and until
 * when: a holder that stops renewing loses it, and another replica takes it over.
 */
export const leases = sqliteTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

export type RequestRow = RowIs<typeof requests.$inferSelect, RequestRecord>;
export type RequestApprovalRow = RowIs<typeof requestApprovals.$inferSelect, ApprovalRecord>;
export type GrantRow = RowIs<typeof grants.$inferSelect, GrantRecord>;
export type ExceptionRow = RowIs<typeof exceptions.$inferSelect, ExceptionRecord>;
export type AuditRow = RowIs<typeof auditEvents.$inferSelect, AuditRecord>;
export type ReviewRow = RowIs<typeof reviews.$inferSelect, ReviewRecord>;
export type DriftFindingRow = RowIs<typeof driftFindings.$inferSelect, DriftFindingRecord>;
export type BreakGlassRow = RowIs<typeof breakGlassUses.$inferSelect, BreakGlassRecord>;
export type ReviewDecisionRow = RowIs<typeof reviewDecisions.$inferSelect, ReviewDecisionRecord>;
export type LeaseRow = typeof leases.$inferSelect;
