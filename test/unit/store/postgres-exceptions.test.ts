import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newId } from '../../../src/store/ids.js';
import type { ExceptionRecord, RequestRecord } from '../../../src/domain/records.js';
import type { NewException, NewRequest } from '../../../src/store/store.js';
import { HOUR, MINUTE, T0, postgresTempStores, someResource, someone, type PostgresTempStores } from './postgres-temp-store.js';
import type { Store } from '../../../src/store/store.js';

let stores: PostgresTempStores;
let store: Store;
let other: Store;
before(async () => {
  stores = await postgresTempStores();
  store = await stores.replica();
  other = await stores.replica();
});
after(() => stores.cleanup());

const SEC1 = 'U0SEC1';
const LEAD1 = 'U0LEAD1';

/** Who asks and for what, new for each test: the tests share one database. */
const scene = () => ({ user: someone('alice'), resource: someResource('prod-db') });

async function ask(on: Store, who: { user: string; resource: string }, overrides: Partial<NewException> = {}): Promise<ExceptionRecord> {
  const outcome = await on.createException({
    id: newId('exc'),
    userId: who.user,
    resource: who.resource,
    mode: 'auto_approve',
    durationMs: 4 * HOUR,
    reason: 'incident INC-1',
    policyVersion: 'v1',
    createdAt: T0,
    ...overrides,
  });
  assert.ok(outcome.kind === 'created', outcome.kind);
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

async function open(on: Store, exception: ExceptionRecord, at = T0 + MINUTE) {
  const outcome = await on.openException({ id: exception.id, approverId: SEC1, at, newGrant: standingGrant(at) });
  assert.ok(outcome.kind === 'opened', outcome.kind);
  return outcome;
}

const newRequest = (who: { user: string; resource: string }, at: number): NewRequest => ({
  id: newId('req'),
  requesterId: who.user,
  resource: who.resource,
  durationMs: 30 * MINUTE,
  reason: 'debugging',
  policyVersion: 'v1',
  createdAt: at,
});

const grantFor = (at: number) => (request: RequestRecord, e: ExceptionRecord) => ({
  id: newId('grt'),
  requestId: request.id,
  exceptionId: e.id,
  userId: request.requesterId,
  resource: request.resource,
  reason: request.reason,
  grantedAt: at,
  expiresAt: at + request.durationMs,
});

describe('PostgreSQL: asking for and deciding an exception', () => {
  test('a second live exception for the same person and resource is refused, also when two replicas ask at once', async () => {
    const who = scene();
    const [a, b] = await Promise.all(
      [store, other].map((on) =>
        on.createException({ id: newId('exc'), userId: who.user, resource: who.resource, mode: 'auto_approve', durationMs: HOUR, reason: 'r', policyVersion: 'v1', createdAt: T0 }),
      ),
    );
    assert.deepEqual([a?.kind, b?.kind].sort(), ['created', 'duplicate']);
    const first = a?.kind === 'created' ? a.exception : b?.kind === 'created' ? b.exception : undefined;
    assert.ok(first);
    assert.equal((await store.liveExceptionsOf(who.user)).length, 1);
    await ask(store, { ...who, resource: someResource('vpn') });
    await open(store, first);
    assert.equal((await store.createException({ ...first, id: newId('exc') })).kind, 'duplicate', 'open counts as live');
    assert.ok(await store.closeException(first.id, 'revoked', SEC1, T0 + 2 * MINUTE));
    await ask(store, who);
    assert.equal((await store.liveExceptionsOf(who.user)).length, 2, 'the new one and the vpn one; the closed one no longer counts');
    assert.deepEqual(await stores.actions(first.id), ['exception.requested', 'exception.opened', 'exception.closed']);
  });

  test('approval opens the window from the approval, not from the asking', async () => {
    const exception = await ask(store, scene());
    const { exception: opened, standingGrant } = await open(store, exception, T0 + 10 * MINUTE);
    assert.equal(opened.opensAt, T0 + 10 * MINUTE);
    assert.equal(opened.endsAt, T0 + 10 * MINUTE + 4 * HOUR);
    assert.equal(opened.decidedBy, SEC1);
    assert.equal(standingGrant, undefined, 'auto_approve has no standing grant');
    assert.deepEqual(await stores.actions(exception.id), ['exception.requested', 'exception.opened']);
  });

  test('the person it is for cannot approve it; the refusal is audited', async () => {
    const who = scene();
    const exception = await ask(store, who);
    const outcome = await store.openException({ id: exception.id, approverId: who.user, at: T0, newGrant: standingGrant(T0) });
    assert.equal(outcome.kind, 'self_approval');
    assert.equal((await store.findException(exception.id))?.status, 'pending');
    assert.deepEqual(await stores.actions(exception.id), ['exception.requested', 'decision.refused']);
  });

  test('standing mode creates exactly one grant for the window when two approvers on two replicas race', async () => {
    const exception = await ask(store, scene(), { mode: 'standing' });
    const outcomes = await Promise.all([
      store.openException({ id: exception.id, approverId: SEC1, at: T0, newGrant: standingGrant(T0) }),
      other.openException({ id: exception.id, approverId: LEAD1, at: T0, newGrant: standingGrant(T0) }),
    ]);
    assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['not_pending', 'opened']);
    const opened = outcomes.find((o) => o.kind === 'opened');
    assert.ok(opened?.kind === 'opened' && opened.standingGrant);
    assert.equal(opened.standingGrant.requestId, null);
    assert.equal(opened.standingGrant.expiresAt, opened.exception.endsAt);
    assert.deepEqual(await stores.actions(exception.id), ['exception.requested', 'exception.opened']);
    assert.deepEqual(await stores.actions(opened.standingGrant.id), ['grant.created']);
  });

  test('a denied exception is denied once and cannot be opened', async () => {
    const exception = await ask(store, scene());
    assert.equal((await store.denyException(exception.id, SEC1, T0))?.status, 'denied');
    assert.equal(await other.denyException(exception.id, SEC1, T0), undefined);
    assert.equal((await store.openException({ id: exception.id, approverId: SEC1, at: T0, newGrant: standingGrant(T0) })).kind, 'not_pending');
    assert.deepEqual(await stores.actions(exception.id), ['exception.requested', 'exception.denied']);
  });

  test('an unknown exception is not found', async () => {
    assert.equal((await store.openException({ id: 'exc-nonexistent', approverId: SEC1, at: T0, newGrant: standingGrant(T0) })).kind, 'not_found');
  });
});

describe('PostgreSQL: closing an exception', () => {
  test('closes exactly once across replicas and marks the standing grant to end', async () => {
    const exception = await ask(store, scene(), { mode: 'standing' });
    const { standingGrant } = await open(store, exception, T0);
    assert.ok(standingGrant);
    const end = T0 + 4 * HOUR;
    const [first, second] = await Promise.all([store.closeException(exception.id, 'expired', 'jitbot', end), other.closeException(exception.id, 'revoked', SEC1, end)]);
    const closed = first ?? second;
    assert.ok(closed);
    assert.equal([first, second].filter((c) => c === undefined).length, 1, 'exactly one close');
    assert.deepEqual(closed.endedGrants.map((g) => [g.id, g.endRequestedReason]), [[standingGrant.id, 'exception_closed']]);
    assert.equal((await store.findGrant(standingGrant.id))?.endRequestedReason, 'exception_closed');
    assert.ok((await store.grantsDueForRevocation(T0, 1000)).some((g) => g.id === standingGrant.id), 'the sweep sees the grant must end, even before its expiry');
    assert.deepEqual(await stores.actions(exception.id), ['exception.requested', 'exception.opened', 'exception.closed']);
    assert.deepEqual(await stores.actions(standingGrant.id), ['grant.created', 'grant.revoke_requested']);
    assert.equal((await stores.verifyChain()).ok, true);
  });

  test('an expiry close before the end changes nothing; a revocation may close it early', async () => {
    const exception = await ask(store, scene());
    await open(store, exception, T0);
    assert.equal(await store.closeException(exception.id, 'expired', 'jitbot', T0 + HOUR), undefined);
    assert.equal((await store.findException(exception.id))?.status, 'open');
    assert.equal((await store.closeException(exception.id, 'revoked', SEC1, T0 + HOUR))?.exception.closedBy, SEC1);
  });

  test('the sweep finds open exceptions past their end, and the timers page through the open ones by end', async () => {
    const who = scene();
    const early = await ask(store, who, { durationMs: HOUR });
    const late = await ask(store, { ...who, resource: someResource('vpn') }, { durationMs: 3 * HOUR });
    await open(store, early, T0);
    await open(store, late, T0);
    const pending = await ask(store, { ...who, resource: someResource('wiki') });
    const ours = new Set([early.id, late.id, pending.id]);
    const due = (await store.exceptionsDueToClose(T0 + 2 * HOUR, 1000)).filter((e) => ours.has(e.id));
    assert.deepEqual(due.map((e) => e.id), [early.id]);
    const timers = (await store.openExceptionTimers(-1, '', 1000)).filter((e) => ours.has(e.id));
    assert.deepEqual(timers.map((e) => [e.id, e.endsAt, e.warned]), [[early.id, T0 + HOUR, false], [late.id, T0 + 3 * HOUR, false]]);
    assert.ok(!(await store.openExceptionTimers(T0 + HOUR, early.id, 1000)).some((e) => e.id === early.id), 'the page starts after the cursor');
    assert.deepEqual((await store.pageExceptions({ userId: who.user }, undefined, 10)).map((e) => e.id).sort(), [...ours].sort());
    assert.deepEqual((await store.pageExceptions({ userId: who.user, status: 'pending' }, undefined, 10)).map((e) => e.id), [pending.id]);
    assert.deepEqual(await store.pendingExceptionsOn(pending.resource), [pending]);
    assert.ok((await store.pendingExceptionResources()).includes(pending.resource));
  });

  test('the reminder is recorded once, and only while open', async () => {
    const exception = await ask(store, scene());
    assert.equal(await store.markExceptionWarned(exception.id, T0), undefined, 'not while pending');
    await open(store, exception, T0);
    const [a, b] = await Promise.all([store.markExceptionWarned(exception.id, T0 + HOUR), other.markExceptionWarned(exception.id, T0 + HOUR)]);
    assert.equal([a, b].filter((w) => w !== undefined).length, 1);
    assert.deepEqual(await stores.actions(exception.id), ['exception.requested', 'exception.opened', 'exception.closing_soon']);
  });
});

describe('PostgreSQL: a request under an auto_approve exception', () => {
  test('is approved and granted in one transaction while the exception is open', async () => {
    const who = scene();
    const exception = await ask(store, who);
    await open(store, exception, T0);
    const at = T0 + HOUR;
    const granted = await store.grantUnderException(newRequest(who, at), grantFor(at));
    assert.ok(granted);
    assert.equal(granted.request.status, 'approved');
    assert.equal(granted.request.decidedBy, 'jitbot');
    assert.equal(granted.grant.exceptionId, exception.id);
    assert.equal(granted.exception.id, exception.id);
    assert.deepEqual(await stores.actions(granted.request.id), ['request.created', 'request.approved']);
    assert.deepEqual(await stores.actions(granted.grant.id), ['grant.created']);
  });

  test('writes nothing when the exception is pending, standing, past its end, closed, or for someone or something else', async () => {
    const who = scene();
    const pending = await ask(store, who);
    const refused = async (request: NewRequest, why: string) => {
      assert.equal(await store.grantUnderException(request, grantFor(request.createdAt)), undefined, why);
      assert.deepEqual(await stores.actions(request.id), [], `${why}: nothing audited`);
    };
    await refused(newRequest(who, T0), 'pending');
    await open(store, pending, T0);
    await refused({ ...newRequest(who, T0), requesterId: someone('bob') }, 'someone else');
    await refused({ ...newRequest(who, T0), resource: someResource('vpn') }, 'another resource');
    await refused(newRequest(who, T0 + 4 * HOUR), 'past its end, not yet swept');
    await store.closeException(pending.id, 'revoked', SEC1, T0 + MINUTE);
    await refused(newRequest(who, T0 + 2 * MINUTE), 'closed');
    const vpn = { ...who, resource: someResource('vpn') };
    await open(store, await ask(store, vpn, { mode: 'standing' }), T0);
    await refused(newRequest(vpn, T0), 'standing mode');
  });
});
