import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { verifyAuditChain } from '../../../src/store/sqlite/audit-log.js';
import { newId } from '../../../src/store/ids.js';
import type { ExceptionRecord } from '../../../src/domain/records.js';
import type { Store } from '../../../src/store/store.js';
import { ALICE, LEAD1, MINUTE, SEC1, T0, tempStores } from './temp-store.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';

const stores = tempStores();
after(() => stores.cleanup());
const HOUR = 60 * MINUTE;

function ask(store: Store, overrides: Partial<Parameters<Store['createException']>[0]> = {}): ExceptionRecord {
  const outcome = store.createException({
    id: newId('exc'),
    userId: ALICE,
    resource: 'prod-db',
    mode: 'auto_approve',
    durationMs: 4 * HOUR,
    reason: 'incident INC-1',
    policyVersion: 'v1',
    createdAt: T0,
    ...overrides,
  });
  assert.equal(outcome.kind, 'created');
  assert.ok(outcome.kind === 'created');
  return outcome.exception;
}

const standingGrant = (at: number) => (e: ExceptionRecord) => ({
  id: newId('grt'),
  requestId: null,
  exceptionId: e.id,
  userId: e.userId,
  resource: e.resource,
  reason: e.reason,
  grantedAt: at,
  expiresAt: at + e.durationMs,
});

function open(store: Store, exception: ExceptionRecord, at = T0 + MINUTE) {
  const outcome = store.openException({ id: exception.id, approverId: SEC1, at, newGrant: standingGrant(at) });
  assert.equal(outcome.kind, 'opened');
  assert.ok(outcome.kind === 'opened');
  return outcome;
}

const newRequest = (at: number) => ({
  id: newId('req'),
  requesterId: ALICE,
  resource: 'prod-db',
  durationMs: 30 * MINUTE,
  reason: 'debugging',
  policyVersion: 'v1',
  createdAt: at,
});

const grantFor = (at: number) => (request: { id: string; requesterId: string; resource: string; reason: string; durationMs: number }, e: ExceptionRecord) => ({
  id: newId('grt'),
  requestId: request.id,
  exceptionId: e.id,
  userId: request.requesterId,
  resource: request.resource,
  reason: request.reason,
  grantedAt: at,
  expiresAt: at + request.durationMs,
});

describe('asking for and deciding an exception', () => {
  test('one pending or open exception per person and resource; another resource or a closed one does not count', () => {
    const t = stores.fresh();
    const first = ask(t.store);
    const again = t.store.createException({ ...first, id: newId('exc') });
    assert.equal(again.kind, 'duplicate');
    ask(t.store, { resource: 'vpn' });
    open(t.store, first);
    assert.equal(t.store.createException({ ...first, id: newId('exc') }).kind, 'duplicate');
    assert.ok(t.store.closeException(first.id, 'revoked', SEC1, T0 + 2 * MINUTE));
    ask(t.store);
    assert.equal(t.count('exceptions'), 3);
  });

  test('approval opens the window from the approval, not from the asking', () => {
    const t = stores.fresh();
    const exception = ask(t.store);
    const { exception: opened, standingGrant: grant } = open(t.store, exception, T0 + 10 * MINUTE);
    assert.equal(opened.opensAt, T0 + 10 * MINUTE);
    assert.equal(opened.endsAt, T0 + 10 * MINUTE + 4 * HOUR);
    assert.equal(opened.decidedBy, SEC1);
    assert.equal(grant, undefined, 'auto_approve has no standing grant');
    assert.deepEqual(t.actions(exception.id), ['exception.requested', 'exception.opened']);
  });

  test('the person it is for cannot approve it, whatever the caller checked; the refusal is audited', () => {
    const t = stores.fresh();
    const exception = ask(t.store);
    const outcome = t.store.openException({ id: exception.id, approverId: ALICE, at: T0, newGrant: standingGrant(T0) });
    assert.equal(outcome.kind, 'self_approval');
    assert.equal(t.store.findException(exception.id)?.status, 'pending');
    assert.deepEqual(t.actions(exception.id), ['exception.requested', 'decision.refused']);
  });

  test('standing mode creates exactly one grant for the window, even when two approvers race', () => {
    const t = stores.fresh();
    const exception = ask(t.store, { mode: 'standing' });
    const other = t.reopen().store;
    const first = t.store.openException({ id: exception.id, approverId: SEC1, at: T0, newGrant: standingGrant(T0) });
    const second = other.openException({ id: exception.id, approverId: LEAD1, at: T0, newGrant: standingGrant(T0) });
    assert.equal(first.kind, 'opened');
    assert.equal(second.kind, 'not_pending');
    assert.ok(first.kind === 'opened' && first.standingGrant);
    assert.equal(first.standingGrant.requestId, null);
    assert.equal(first.standingGrant.expiresAt, first.exception.endsAt);
    assert.equal(t.count('grants'), 1);
  });

  test('a denied exception cannot be opened', () => {
    const t = stores.fresh();
    const exception = ask(t.store);
    assert.equal(t.store.denyException(exception.id, SEC1, T0)?.status, 'denied');
    assert.equal(t.store.denyException(exception.id, SEC1, T0), undefined);
    assert.equal(t.store.openException({ id: exception.id, approverId: SEC1, at: T0, newGrant: standingGrant(T0) }).kind, 'not_pending');
  });
});

describe('closing an exception', () => {
  test('closes exactly once across connections, marks the standing grant to end, and chains the audit', () => {
    const t = stores.fresh();
    const exception = ask(t.store, { mode: 'standing' });
    const { standingGrant: grant } = open(t.store, exception, T0);
    assert.ok(grant);
    const other = t.reopen().store;
    const end = T0 + 4 * HOUR;
    const first = t.store.closeException(exception.id, 'expired', 'jitbot', end);
    const second = other.closeException(exception.id, 'revoked', SEC1, end);
    assert.ok(first);
    assert.equal(second, undefined);
    assert.equal(first.exception.closeReason, 'expired');
    assert.deepEqual(first.endedGrants.map((g) => [g.id, g.endRequestedReason]), [[grant.id, 'exception_closed']]);
    assert.deepEqual(t.actions(exception.id), ['exception.requested', 'exception.opened', 'exception.closed']);
    assert.deepEqual(t.actions(grant.id), ['grant.created', 'grant.revoke_requested']);
    assert.deepEqual(t.store.grantsDueForRevocation(T0, 10).map((g) => g.id), [grant.id], 'the sweep sees the grant must end, even before its expiry');
    assert.equal(verifyAuditChain(t.open.db, TEST_AUDIT_KEY).ok, true);
  });

  test('an expiry close before the end changes nothing; a revocation may close it early', () => {
    const t = stores.fresh();
    const exception = ask(t.store);
    open(t.store, exception, T0);
    assert.equal(t.store.closeException(exception.id, 'expired', 'jitbot', T0 + HOUR), undefined);
    assert.equal(t.store.findException(exception.id)?.status, 'open');
    assert.equal(t.store.closeException(exception.id, 'revoked', SEC1, T0 + HOUR)?.exception.closedBy, SEC1);
  });

  test('the sweep finds open exceptions past their end, and the timers cover every open one', () => {
    const t = stores.fresh();
    const early = ask(t.store, { durationMs: HOUR });
    const late = ask(t.store, { resource: 'vpn', durationMs: 3 * HOUR });
    open(t.store, early, T0);
    open(t.store, late, T0);
    ask(t.store, { resource: 'wiki' });
    assert.deepEqual(t.store.exceptionsDueToClose(T0 + 2 * HOUR, 10).map((e) => e.id), [early.id]);
    assert.deepEqual(t.store.openExceptionTimers(-1, '', 10).map((e) => [e.id, e.endsAt]), [[early.id, T0 + HOUR], [late.id, T0 + 3 * HOUR]]);
    assert.deepEqual(t.store.openExceptionTimers(T0 + HOUR, early.id, 10).map((e) => e.id), [late.id]);
  });

  test('the reminder is recorded once, and only while open', () => {
    const t = stores.fresh();
    const exception = ask(t.store);
    assert.equal(t.store.markExceptionWarned(exception.id, T0), undefined, 'not while pending');
    open(t.store, exception, T0);
    assert.ok(t.store.markExceptionWarned(exception.id, T0 + HOUR));
    assert.equal(t.store.markExceptionWarned(exception.id, T0 + HOUR), undefined);
  });
});

describe('a request under an auto_approve exception', () => {
  test('is approved and granted in one transaction while the exception is open', () => {
    const t = stores.fresh();
    const exception = ask(t.store);
    open(t.store, exception, T0);
    const at = T0 + HOUR;
    const granted = t.store.grantUnderException(newRequest(at), grantFor(at));
    assert.ok(granted);
    assert.equal(granted.request.status, 'approved');
    assert.equal(granted.request.decidedBy, 'jitbot');
    assert.equal(granted.grant.exceptionId, exception.id);
    assert.deepEqual(t.actions(granted.request.id), ['request.created', 'request.approved']);
    assert.deepEqual(t.actions(granted.grant.id), ['grant.created']);
  });

  test('writes nothing when the exception is pending, standing, past its end, closed, or for someone or something else', () => {
    const t = stores.fresh();
    const pending = ask(t.store);
    assert.equal(t.store.grantUnderException(newRequest(T0), grantFor(T0)), undefined, 'pending');
    open(t.store, pending, T0);
    assert.equal(t.store.grantUnderException({ ...newRequest(T0), requesterId: LEAD1 }, grantFor(T0)), undefined, 'someone else');
    assert.equal(t.store.grantUnderException({ ...newRequest(T0), resource: 'vpn' }, grantFor(T0)), undefined, 'another resource');
    assert.equal(t.store.grantUnderException(newRequest(T0 + 4 * HOUR), grantFor(T0 + 4 * HOUR)), undefined, 'past its end, not yet swept');
    t.store.closeException(pending.id, 'revoked', SEC1, T0 + MINUTE);
    assert.equal(t.store.grantUnderException(newRequest(T0 + 2 * MINUTE), grantFor(T0 + 2 * MINUTE)), undefined, 'closed');
    const standing = ask(t.store, { resource: 'vpn', mode: 'standing' });
    open(t.store, standing, T0);
    assert.equal(t.store.grantUnderException({ ...newRequest(T0), resource: 'vpn' }, grantFor(T0)), undefined, 'standing mode');
    assert.equal(t.count('requests'), 0);
    assert.equal(t.count('grants'), 1, 'only the standing grant');
  });
});
