import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { DRIFT_KINDS } from '../../domain/drift.js';
import { EXCEPTION_CLOSE_REASONS, EXCEPTION_STATUSES, GRANT_STATUSES, OPT_OUT_MODES, REQUEST_STATUSES, REVIEW_DECISIONS, REVIEW_TRIGGERS, REVOKE_REASONS } from '../../domain/states.js';
import type { ApprovalRecord, AuditRecord, BreakGlassRecord, DriftFindingRecord, ExceptionRecord, GrantRecord, RequestRecord, ReviewDecisionRecord, ReviewRecord } from '../../domain/records.js';
import type { RowIs } from '../row-is.js';

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

/**
 * The PostgreSQL schema: the same tables as SQLite's. Times are bigint milliseconds since the
 * epoch (UTC), as there, so what the audit chain hashes is exactly what is stored.
 */
export const requests = pgTable(
  'requests',
  {
    id: text('id').primaryKey(),
    requesterId: text('requester_id').notNull(),
    requesterEmail: text('requester_email'),
    resource: text('resource').notNull(),
    durationMs: bigint('duration_ms', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: REQUEST_STATUSES }).notNull().default('pending'),
    policyVersion: text('policy_version').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    decidedAt: bigint('decided_at', { mode: 'number' }),
    decidedBy: text('decided_by'),
    approvalChannel: text('approval_channel'),
    approvalTs: text('approval_ts'),
    /** When `escalation.to` was added as approvers because nobody answered. */
    escalatedAt: bigint('escalated_at', { mode: 'number' }),
    /** Scheduled access (`at …`): the grant starts here, not at approval. */
    startsAt: bigint('starts_at', { mode: 'number' }),
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
export const requestApprovals = pgTable(
  'request_approvals',
  {
    requestId: text('request_id')
      .notNull()
      .references(() => requests.id),
    approverId: text('approver_id').notNull(),
    stage: integer('stage').notNull(),
    approvedAt: bigint('approved_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.requestId, t.approverId] })],
);

/** Opt-out exceptions: one person exempt from approval for one resource, for a bounded window. */
export const exceptions = pgTable(
  'exceptions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    userEmail: text('user_email'),
    resource: text('resource').notNull(),
    mode: text('mode', { enum: OPT_OUT_MODES }).notNull(),
    durationMs: bigint('duration_ms', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    status: text('status', { enum: EXCEPTION_STATUSES }).notNull().default('pending'),
    policyVersion: text('policy_version').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    decidedAt: bigint('decided_at', { mode: 'number' }),
    decidedBy: text('decided_by'),
    /** The window, set when approved: it starts at approval, not at asking. */
    opensAt: bigint('opens_at', { mode: 'number' }),
    endsAt: bigint('ends_at', { mode: 'number' }),
    warnedAt: bigint('warned_at', { mode: 'number' }),
    closeReason: text('close_reason', { enum: EXCEPTION_CLOSE_REASONS }),
    closedAt: bigint('closed_at', { mode: 'number' }),
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

export const grants = pgTable(
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
    grantedAt: bigint('granted_at', { mode: 'number' }).notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
    status: text('status', { enum: GRANT_STATUSES }).notNull().default('active'),
    provisionedAt: bigint('provisioned_at', { mode: 'number' }),
    provisionError: text('provision_error'),
    /** Set by release/revoke before the provisioner is called, so a lost timer still ends it. */
    endRequestedReason: text('end_requested_reason', { enum: REVOKE_REASONS }),
    endRequestedBy: text('end_requested_by'),
    /** When release/revoke asked it to end: from then on, access that lasts is overdue. */
    endRequestedAt: bigint('end_requested_at', { mode: 'number' }),
    revokeReason: text('revoke_reason', { enum: REVOKE_REASONS }),
    revokedAt: bigint('revoked_at', { mode: 'number' }),
    revokedBy: text('revoked_by'),
    revokeError: text('revoke_error'),
    /** The security channel was told the revocation is overdue and failing (once per grant), and where, to update it. */
    revokeAlertedAt: bigint('revoke_alerted_at', { mode: 'number' }),
    revokeAlertChannel: text('revoke_alert_channel'),
    revokeAlertTs: text('revoke_alert_ts'),
    /** The replica calling the provisioner to revoke it, until when (a lease: another takes over after). */
    revokeClaimedBy: text('revoke_claimed_by'),
    revokeClaimUntil: bigint('revoke_claim_until', { mode: 'number' }),
    /** When the holder was told it ends soon (`expiry_warning`); cleared by an extension. */
    warnedAt: bigint('warned_at', { mode: 'number' }),
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
export const breakGlassUses = pgTable(
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
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    /** Where the alerts were posted (security channel, resource channel), to update them in place. */
    securityChannel: text('security_channel'),
    securityTs: text('security_ts'),
    resourceChannel: text('resource_channel'),
    resourceTs: text('resource_ts'),
    remindedAt: bigint('reminded_at', { mode: 'number' }),
    acknowledgedAt: bigint('acknowledged_at', { mode: 'number' }),
    acknowledgedBy: text('acknowledged_by'),
  },
  (t) => [index('break_glass_unacknowledged').on(t.acknowledgedAt, t.createdAt)],
);

/** Every policy the bot has run with, by version: a request is judged by the rules it was made under. */
export const policyVersions = pgTable('policy_versions', {
  version: text('version').primaryKey(),
  text: text('text').notNull(),
  firstLoadedAt: bigint('first_loaded_at', { mode: 'number' }).notNull(),
});

/** Who has opened jitbot's App Home, and when last: whose home is redrawn when something concerning them changes. */
export const homeViewers = pgTable('home_viewers', {
  userId: text('user_id').primaryKey(),
  openedAt: bigint('opened_at', { mode: 'number' }).notNull(),
});

/**
 * Slack deliveries seen lately, by signature and by trigger_id / event_id: a replayed or
 * redelivered one is acked and dropped. Rows older than the replay window are pruned.
 */
export const slackDeliveries = pgTable(
  'slack_deliveries',
  {
    key: text('key').primaryKey(),
    seenAt: bigint('seen_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('slack_deliveries_seen_at').on(t.seenAt)],
);

/** Append-only, hash-chained (see domain/audit-chain.ts); a trigger in the migrations refuses UPDATE and DELETE. */
export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    at: bigint('at', { mode: 'number' }).notNull(),
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
  (t) => [
    index('audit_subject').on(t.subjectType, t.subjectId),
    index('audit_at').on(t.at),
    // With several writers, a fork would need two events on one predecessor: refused here.
    uniqueIndex('audit_one_successor').on(t.prevHash),
  ],
);

/**
 * The audit chain's head, one row: every append locks it (`FOR UPDATE`) in its transaction, so
 * appends from several replicas are serialized and the chain never forks.
 */
export const auditChainHead = pgTable(
  'audit_chain_head',
  {
    id: integer('id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [check('audit_chain_head_single', sql`${t.id} = 1`)],
);

/**
 * How far each audit stream (the `audit_webhook`) has delivered: the last event's seq and hash,
 * signed with the audit key (see domain/audit-chain.ts); owned by audit-forwarding.ts.
 */
export const auditForwarding = pgTable('audit_forwarding', {
  stream: text('stream').primaryKey(),
  deliveredSeq: bigint('delivered_seq', { mode: 'number' }).notNull(),
  deliveredHash: text('delivered_hash'),
  signature: text('signature'),
  lastError: text('last_error'),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
});

/** Security reviews as they were run: the report (JSON, see domain/review-report.ts) and where it was posted. */
export const reviews = pgTable(
  'reviews',
  {
    id: text('id').primaryKey(),
    trigger: text('trigger', { enum: REVIEW_TRIGGERS }).notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    since: bigint('since', { mode: 'number' }).notNull(),
    until: bigint('until', { mode: 'number' }).notNull(),
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
export const reviewDecisions = pgTable(
  'review_decisions',
  {
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    subjectType: text('subject_type', { enum: ['grant', 'exception'] }).notNull(),
    subjectId: text('subject_id').notNull(),
    decision: text('decision', { enum: REVIEW_DECISIONS }).notNull(),
    decidedBy: text('decided_by').notNull(),
    decidedAt: bigint('decided_at', { mode: 'number' }).notNull(),
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
export const driftFindings = pgTable(
  'drift_findings',
  {
    id: text('id').primaryKey(),
    target: text('target').notNull(),
    resource: text('resource').notNull(),
    kind: text('kind', { enum: DRIFT_KINDS }).notNull(),
    identity: text('identity').notNull(),
    grantId: text('grant_id'),
    userId: text('user_id'),
    foundAt: bigint('found_at', { mode: 'number' }).notNull(),
    lastSeenAt: bigint('last_seen_at', { mode: 'number' }).notNull(),
    alertedAt: bigint('alerted_at', { mode: 'number' }),
    resolvedAt: bigint('resolved_at', { mode: 'number' }),
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
export const leases = pgTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
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
