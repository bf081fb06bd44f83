import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHAIN_WALK_START, GENESIS_HASH, chainVerdict, keyedHash, walkChainPage, type ChainWalk, type ChainedEvent } from '../../../src/domain/audit-chain.js';

const KEY = 'a-key-for-the-walk-of-thirty-two-chars';

/** `n` keyed events chained from the genesis hash. */
function chain(n: number): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq += 1) {
    const event = { seq, at: seq, actor: 'U0LEAD1', action: 'decision.refused', subjectType: 'request', subjectId: `req-${seq}`, resource: null, reason: null, details: '{}' };
    const hash = keyedHash(KEY, prevHash, event);
    events.push({ ...event, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

function walkInPages(events: readonly ChainedEvent[], size: number): ChainWalk {
  let walk = CHAIN_WALK_START;
  for (let i = 0; i < events.length; i += size) {
    const step = walkChainPage(KEY, walk, events.slice(i, i + size));
    assert.ok(step.ok, JSON.stringify(step));
    walk = step.walk;
  }
  return walk;
}

test('walking a chain in pages of any size reaches the same verdict', () => {
  const events = chain(7);
  const whole = chainVerdict(walkInPages(events, 100), 7);
  assert.deepEqual(whole, { ok: true, count: 7, unkeyed: 0, head: { seq: 7, hash: events[6]?.hash } });
  for (const size of [1, 2, 3]) assert.deepEqual(chainVerdict(walkInPages(events, size), 7), whole);
});

test('an empty chain verifies with no head', () => {
  assert.deepEqual(chainVerdict(CHAIN_WALK_START, 0), { ok: true, count: 0, unkeyed: 0, head: undefined });
});

test('a changed event breaks the walk at that event, counting those before it', () => {
  const events = chain(5).map((e) => (e.seq === 3 ? { ...e, reason: 'nothing to see here' } : e));
  const step = walkChainPage(KEY, walkInPages(events.slice(0, 2), 1), events.slice(2));
  assert.ok(!step.ok);
  assert.deepEqual({ ...step.broken, problem: undefined }, { ok: false, count: 2, brokenAt: 3, problem: undefined });
});

test('events missing at the end are refused when the database handed out a higher seq', () => {
  const verdict = chainVerdict(walkInPages(chain(5).slice(0, 4), 2), 5);
  assert.deepEqual(verdict, { ok: false, count: 4, brokenAt: 5, problem: 'events after seq 4 were removed (the log once reached seq 5)' });
});
