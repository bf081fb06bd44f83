/** What every case of the store contract is given, and the fixtures they share. */
import assert from 'node:assert/strict';
import type { AuditRecord, ExceptionRecord, GrantRecord, RequestRecord } from '../../../../src/domain/records.js';
import { newId } from '../../../../src/store/ids.js';
import type { ApproveInput, NewException, NewRequest, Store } from '../../../../src/store/store.js';

/** One fresh database and a store on it, as one jitbot process (replica) has. */
export interface ContractDatabase {
  store: Store;
  /**
   * Another Store on the same database, as a second process or replica opens it: a second
   * SQLite connection to the file, a second pool to the PostgreSQL database. Closed with the rest.
   */
  openSecond(options?: { auditKey?: string }): Promise<Store>;
  /** A plain SQL statement run on the database behind the store's back: what someone with write access can do. */
  sql(statement: string): Promise<void>;
  /** Lifts the append-only guard of audit_events (its triggers), as someone with write access to the database could. */
  dropAuditGuards(): Promise<void>;
}

/** Gives a fresh database for each case; `close` ends every store opened on it. */
export type OpenStores = () => Promise<ContractDatabase & { close(): Promise<void> }>;

/** A contract case's way to get a fresh database; closed after the adapter's cases. */
export type Fresh = () => Promise<ContractDatabase>;

export const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const ALICE = 'U0ALICE';
export const BOB = 'U0BOB';
export const LEAD1 = 'U0LEAD1';
export const LEAD2 = 'U0LEAD2';
export const SEC1 = 'U0SEC1';

/** Far more than any case writes: listings with this limit see everything. */
const ALL = 10_000;

/** What a new request of Alice's for prod-db is made of, before it is written. */
export function newRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  return {
    id: newId('req'),
    requesterId: ALICE,
    resource: 'prod-db',
    durationMs: 30 * MINUTE,
    reason: 'debugging INC-4211',
    policyVersion: 'v1',
    createdAt: T0,
    ...overrides,
  };
}

export const createPendingRequest = (store: Store, overrides: Partial<NewRequest> = {}): Promise<RequestRecord> => store.createRequest(newRequest(overrides));

export const ONE_STAGE = [{ approvers: ['db-leads'], approvalsRequired: 1 }] as const;

export function approveInput(requestId: string, approverId: string, overrides: Partial<ApproveInput> = {}): ApproveInput {
  const at = overrides.at ?? T0 + MINUTE;
  return {
    requestId,
    approverId,
    at,
    stages: ONE_STAGE,
    approverStages: new Set([0]),
    selfApproval: false,
    maxExtensions: 2,
    newGrant: (request) => ({
      id: newId('grt'),
      requestId: request.id,
      userId: request.requesterId,
      resource: request.resource,
      reason: request.reason,
      grantedAt: at,
      expiresAt: at + request.durationMs,
    }),
    ...overrides,
  };
}

/** A request of Alice's approved by LEAD1 at `grantedAt`: its grant. */
export async function approvedGrant(store: Store, times: { grantedAt: number; expiresAt: number }, overrides: Partial<NewRequest> = {}): Promise<GrantRecord> {
  const request = await createPendingRequest(store, { durationMs: times.expiresAt - times.grantedAt, ...overrides });
  const outcome = await store.approve(approveInput(request.id, LEAD1, { at: times.grantedAt }));
  assert.ok(outcome.kind === 'approved', `expected approved, got ${outcome.kind}`);
  return outcome.grant;
}

export function newException(overrides: Partial<NewException> = {}): NewException {
  return {
    id: newId('exc'),
    userId: ALICE,
    resource: 'prod-db',
    mode: 'auto_approve',
    durationMs: 4 * HOUR,
    reason: 'incident INC-1',
    policyVersion: 'v1',
    createdAt: T0,
    ...overrides,
  };
}

export async function askException(store: Store, overrides: Partial<NewException> = {}): Promise<ExceptionRecord> {
  const outcome = await store.createException(newException(overrides));
  assert.ok(outcome.kind === 'created', `expected created, got ${outcome.kind}`);
  return outcome.exception;
}

/** The standing grant an exception's approval creates, starting at `at`. */
export const standingGrant = (at: number) => (e: ExceptionRecord) => ({
  id: newId('grt'),
  requestId: null,
  exceptionId: e.id,
  userId: e.userId,
  resource: e.resource,
  reason: e.reason,
  grantedAt: at,
  expiresAt: at + e.durationMs,
});

export async function openException(store: Store, exception: ExceptionRecord, at = T0 + MINUTE) {
  const outcome = await store.openException({ id: exception.id, approverId: SEC1, at, newGrant: standingGrant(at) });
  assert.ok(outcome.kind === 'opened', `expected opened, got ${outcome.kind}`);
  return outcome;
}

/** Every audit event, in chain order. */
export const auditEvents = (store: Store, filter: Parameters<Store['listAuditEvents']>[0] = {}): Promise<AuditRecord[]> => store.listAuditEvents(filter, 0, ALL);

/** The actions audited about these subjects, in chain order. */
export async function actions(store: Store, ...subjectIds: string[]): Promise<string[]> {
  const events = (await Promise.all(subjectIds.map((subjectId) => auditEvents(store, { subjectId })))).flat();
  return events.sort((a, b) => a.seq - b.seq).map((e) => e.action);
}

/** How many rows the store holds of each kind the cases count. */
export async function counts(store: Store) {
  const [requests, grants, audit, exceptions] = await Promise.all([
    store.listRequests({}, undefined, ALL),
    store.listGrants({}, undefined, ALL),
    auditEvents(store),
    store.listExceptions({ all: true }),
  ]);
  return { requests: requests.length, grants: grants.length, audit: audit.length, exceptions: exceptions.length };
}

/**
 * An error, or what it was caused by, says `pattern`: drizzle's PostgreSQL driver wraps the
 * database's error ("Failed query: …") and keeps the original as its cause.
 */
export const saying = (pattern: RegExp) => (error: unknown): boolean => {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (pattern.test(e.message)) return true;
  return false;
};

/** The database refused a write for breaking one of its CHECK constraints (SQLite and PostgreSQL word it alike). */
export const CHECK_FAILED = saying(/check constraint/i);
