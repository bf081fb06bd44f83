import { getTableName } from 'drizzle-orm';
import * as postgres from '../store/postgres/schema.js';
import * as sqlite from '../store/sqlite/schema.js';

/** What `db copy` does with one table of the SQLite schema, which PostgreSQL has too. */
export interface CopiedTable {
  name: string;
  copy: boolean;
  why: string;
}

/**
 * Every table of the SQLite schema, in foreign-key order (a table after those it references),
 * and whether `db copy` copies it. A test checks this covers both schemas, so a new table
 * cannot be left behind without a decision.
 *
 * - requests … drift_findings: the record of who asked, who decided, what was granted, reviewed
 *   and found: copied as they are.
 * - audit_events: copied as they are (same seq, prev_hash, hash), so the chain verifies on
 *   PostgreSQL and its checkpoints still match.
 * - audit_forwarding: copied, or the forwarder would send the SIEM everything again.
 * - home_viewers, slack_deliveries: copied; small, and a Slack retry during the move is still
 *   recognised.
 * - leases: not copied: who runs the sweep and until when belongs to the processes of the old
 *   install; the replicas on PostgreSQL take them as they start.
 */
export const COPIED_TABLES: readonly CopiedTable[] = [
  { name: getTableName(sqlite.policyVersions), copy: true, why: 'the policies requests were judged by' },
  { name: getTableName(sqlite.requests), copy: true, why: 'access requests' },
  { name: getTableName(sqlite.requestApprovals), copy: true, why: 'approvals' },
  { name: getTableName(sqlite.exceptions), copy: true, why: 'opt-out exceptions' },
  { name: getTableName(sqlite.grants), copy: true, why: 'grants' },
  { name: getTableName(sqlite.breakGlassUses), copy: true, why: 'break-glass uses' },
  { name: getTableName(sqlite.homeViewers), copy: true, why: 'App Home viewers' },
  { name: getTableName(sqlite.slackDeliveries), copy: true, why: 'Slack deliveries seen lately' },
  { name: getTableName(sqlite.auditEvents), copy: true, why: 'the audit trail' },
  { name: getTableName(sqlite.auditForwarding), copy: true, why: 'how far the SIEM has been sent' },
  { name: getTableName(sqlite.reviews), copy: true, why: 'security reviews' },
  { name: getTableName(sqlite.reviewDecisions), copy: true, why: 'review decisions' },
  { name: getTableName(sqlite.driftFindings), copy: true, why: 'drift findings' },
  { name: getTableName(sqlite.leases), copy: false, why: 'runtime state of the old processes' },
];

/** PostgreSQL's own tables, which SQLite has no counterpart of: set by the copy, not copied. */
export const POSTGRES_ONLY_TABLES: readonly string[] = [getTableName(postgres.auditChainHead)];
