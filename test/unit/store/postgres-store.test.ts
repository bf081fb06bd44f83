import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { GENESIS_HASH, unkeyedHash } from '../../../src/domain/audit-chain.js';
import { newId } from '../../../src/store/ids.js';
import { openPostgres, type OpenPostgres } from '../../../src/store/postgres/database.js';
import { createPostgresStore } from '../../../src/store/postgres/store.js';
import type { ApproveInput, NewRequest, Store } from '../../../src/store/store.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';
import { createTestDatabase } from '../../support/postgres-database.js';

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const MINUTE = 60_000;
const ALICE = 'U0ALICE';
const LEAD1 = 'U0LEAD1';
const LEAD2 = 'U0LEAD2';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
/** The superuser's own connection, to read and tamper with the tables directly. */
let admin: pg.Client;
const opened: OpenPostgres[] = [];

/** A store on a pool of its own, as one replica has. */
async function replica(): Promise<Store> {
  const open = await openPostgres(database.url, { poolSize: 4 });
  opened.push(open);
  return createPostgresStore(open, { auditKey: TEST_AUDIT_KEY });
}

let one: Store;
let two: Store;
let three: Store;

function newRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  return { id: newId('req'), requesterId: ALICE, resource: 'prod-db', durationMs: 30 * MINUTE, reason: 'debugging INC-4211', policyVersion: 'v1', createdAt: T0, ...overrides };
}

function approveInput(requestId: string, approverId: string, approvalsRequired = 1): ApproveInput {
  const at = T0 + MINUTE;
  return {
    requestId,
    approverId,
    at,
    stages: [{ approvers: ['db-leads'], approvalsRequired }],
    approverStages: new Set([0]),
    selfApproval: false,
    maxExtensions: 2,
    newGrant: (request) => ({ id: newId('grt'), requestId: request.id, userId: request.requesterId, resource: request.resource, reason: request.reason, grantedAt: at, expiresAt: at + request.durationMs }),
  };
}

async function actionsOn(...subjectIds: string[]): Promise<string[]> {
  const { rows } = await admin.query<{ action: string }>('select action from audit_events where subject_id = any($1::text[]) order by seq', [subjectIds]);
  return rows.map((r) => r.action);
}

async function countWhere(table: 'grants' | 'requests', column: 'request_id' | 'requester_id', value: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(`select count(*)::int as n from ${table} where ${column} = $1`, [value]);
  return rows[0]?.n ?? 0;
}

describe('the PostgreSQL store', () => {
  before(async () => {
    database = await createTestDatabase();
    [one, two, three] = await Promise.all([replica(), replica(), replica()]);
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });

  after(async () => {
    await admin.end();
    await Promise.all(opened.map((o) => o.close()));
    await database.drop();
  });

  test('a request approved, its grant revoked: revoked once, each step audited', async () => {
    const request = await one.createRequest(newRequest());
    const outcome = await one.approve(approveInput(request.id, LEAD1));
    assert.ok(outcome.kind === 'approved');
    assert.equal(outcome.request.status, 'approved');
    assert.deepEqual(await two.findGrant(outcome.grant.id), outcome.grant, 'another replica reads the same grant');

    const revoked = await one.markRevoked(outcome.grant.id, 'expired', 'jitbot', T0 + 31 * MINUTE);
    assert.equal(revoked?.status, 'revoked');
    assert.equal(await two.markRevoked(outcome.grant.id, 'expired', 'jitbot', T0 + 32 * MINUTE), undefined, 'the second revocation changes nothing');
    assert.deepEqual(await actionsOn(request.id, outcome.grant.id), ['request.created', 'request.approval_recorded', 'request.approved', 'grant.created', 'grant.revoked']);
  });

  test('two approvers on two replicas at once on a two-approval request: it completes exactly once, with one grant', async () => {
    for (let i = 0; i < 20; i += 1) {
      const request = await one.createRequest(newRequest());
      const outcomes = await Promise.all([one.approve(approveInput(request.id, LEAD1, 2)), two.approve(approveInput(request.id, LEAD2, 2))]);
      assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['approved', 'recorded'], `round ${i}: one approval completes it, none is lost`);
      assert.equal(await countWhere('grants', 'request_id', request.id), 1);
      assert.equal((await three.approvalsOf(request.id)).length, 2);
      assert.equal((await actionsOn(request.id)).filter((a) => a === 'request.approved').length, 1);
    }
  });

  test('a burst of requests from one person on three replicas stops at the pending limit', async () => {
    const requester = `U0BURST${newId('req').slice(4)}`;
    const limits = { max_pending_per_resource: 3, max_pending_per_person: 5 };
    const stores = [one, two, three];
    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => stores[i % 3]?.createRequestWithinLimits(newRequest({ requesterId: requester }), limits)));
    assert.equal(outcomes.filter((o) => o?.kind === 'created').length, 3);
    assert.equal(await countWhere('requests', 'requester_id', requester), 3);
  });

  test('the same Slack delivery arriving on two replicas at once is new exactly once', async () => {
    for (let i = 0; i < 10; i += 1) {
      const keys = [`sig:${newId('req')}`, `trigger:${newId('req')}`];
      const firsts = await Promise.all([one.firstDelivery(keys, T0, T0 - MINUTE), two.firstDelivery([...keys].reverse(), T0, T0 - MINUTE)]);
      assert.deepEqual(firsts.sort(), [false, true]);
    }
  });

  test('200 audit events from three replicas at once form one chain that verifies; an altered row is found', async () => {
    const before = await one.verifyAuditChain();
    assert.ok(before.ok);
    const stores = [one, two, three];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        stores[i % 3]?.recordEvent({ at: T0 + i, actor: LEAD1, action: 'decision.refused', subjectType: 'request', subjectId: `req-burst-${i}`, details: { i } }),
      ),
    );
    const elapsed = performance.now() - started;
    const check = await two.verifyAuditChain();
    assert.ok(check.ok, JSON.stringify(check));
    assert.equal(check.count - before.count, 200);
    assert.deepEqual(await three.auditHead(), check.head);
    console.log(`# 200 concurrent recordEvent on 3 replicas: ${elapsed.toFixed(0)} ms`);

    const { rows } = await admin.query<{ seq: string }>("select seq from audit_events where subject_id = 'req-burst-100'");
    const target = Number(rows[0]?.seq);
    await admin.query('alter table audit_events disable trigger all');
    await admin.query("update audit_events set reason = 'nothing to see here' where seq = $1", [target]);
    await admin.query('alter table audit_events enable trigger all');
    const tampered = await one.verifyAuditChain();
    assert.ok(!tampered.ok);
    assert.equal(tampered.brokenAt, target);
    assert.match(tampered.problem, /content does not match/);

    await admin.query('alter table audit_events disable trigger all');
    await admin.query('update audit_events set reason = null where seq = $1', [target]);
    await admin.query('alter table audit_events enable trigger all');
    assert.ok((await one.verifyAuditChain()).ok, 'put back as it was, it verifies again');
  });

  test('events removed from the end are noticed from the chain head', async () => {
    const { rows } = await admin.query<{ seq: string }>('select max(seq) as seq from audit_events');
    const last = Number(rows[0]?.seq);
    await admin.query('alter table audit_events disable trigger all');
    await admin.query('delete from audit_events where seq = $1', [last]);
    await admin.query('alter table audit_events enable trigger all');
    const check = await one.verifyAuditChain();
    assert.ok(!check.ok);
    assert.equal(check.brokenAt, last);
    assert.match(check.problem, new RegExp(`events after seq ${last - 1} were removed \\(the log once reached seq ${last}\\)`));
  });
});

test('a chain copied from before the audit key had one is sealed by the first keyed append, as on SQLite', async () => {
  const copied = await createTestDatabase();
  const open = await openPostgres(copied.url, { poolSize: 2 });
  const client = new pg.Client({ connectionString: copied.url });
  await client.connect();
  try {
    let prevHash = GENESIS_HASH;
    for (let seq = 1; seq <= 3; seq += 1) {
      const event = { seq, at: T0 + seq, actor: ALICE, action: 'request.created', subjectType: 'request', subjectId: `req-old-${seq}`, resource: null, reason: null, details: '{}' };
      const hash = unkeyedHash(prevHash, event);
      const values = [seq, event.at, event.actor, event.action, event.subjectType, event.subjectId, event.details, prevHash, hash];
      await client.query('insert into audit_events (seq, at, actor, action, subject_type, subject_id, details, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)', values);
      prevHash = hash;
    }
    await client.query('update audit_chain_head set seq = 3, hash = $1', [prevHash]);
    const store = createPostgresStore(open, { auditKey: TEST_AUDIT_KEY });
    await store.recordEvent({ at: T0 + 5 * MINUTE, actor: LEAD1, action: 'decision.refused', subjectType: 'request', subjectId: 'req-new' });
    await store.recordEvent({ at: T0 + 6 * MINUTE, actor: LEAD1, action: 'decision.refused', subjectType: 'request', subjectId: 'req-new' });
    const { rows } = await client.query<{ seq: string; action: string; details: string }>('select seq, action, details from audit_events where seq > 3 order by seq');
    assert.deepEqual(rows, [
      { seq: '4', action: 'audit.chain_keyed', details: '{"unkeyed_before":4}' },
      { seq: '5', action: 'decision.refused', details: '{}' },
      { seq: '6', action: 'decision.refused', details: '{}' },
    ]);
    const check = await store.verifyAuditChain();
    assert.ok(check.ok, JSON.stringify(check));
    assert.deepEqual([check.count, check.unkeyed, check.head?.seq], [6, 3, 6]);
  } finally {
    await client.end();
    await open.close();
    await copied.drop();
  }
});
