import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALICE, auditEvents, BOB, MINUTE, T0, type Fresh } from './harness.js';

export function policyVersionCases(fresh: Fresh): void {
  describe('policy versions', () => {
    test('a version’s text is kept as first seen', async () => {
      const { store } = await fresh();
      assert.equal(await store.policyText('v1'), undefined);
      await store.rememberPolicy('v1', 'resources: {}\n', T0);
      await store.rememberPolicy('v1', 'something else\n', T0 + MINUTE);
      assert.equal(await store.policyText('v1'), 'resources: {}\n');
      assert.deepEqual(await auditEvents(store), [], 'remembering is not a change');
    });

    test('an accepted change keeps the new version and is audited', async () => {
      const { store } = await fresh();
      await store.rememberPolicy('v1', 'one\n', T0);
      await store.policyChanged({ from: 'v1', to: 'v2', text: 'two\n', at: T0 + MINUTE, details: { added: ['vpn'] } });
      assert.equal(await store.policyText('v2'), 'two\n');
      const events = await auditEvents(store);
      assert.deepEqual(events.map((e) => [e.action, e.actor, e.subjectType, e.subjectId, JSON.parse(e.details)]), [['policy.changed', 'jitbot', 'policy', 'v2', { from_version: 'v1', added: ['vpn'] }]]);
    });
  });
}

export function homeViewerCases(fresh: Fresh): void {
  describe('home viewers', () => {
    test('whoever opened App Home since a time, each once, at their latest opening', async () => {
      const { store } = await fresh();
      await store.homeOpened(ALICE, T0);
      await store.homeOpened(BOB, T0 + MINUTE);
      assert.deepEqual((await store.homeViewersSince(T0)).sort(), [ALICE, BOB]);
      assert.deepEqual(await store.homeViewersSince(T0 + 1), [BOB]);
      await store.homeOpened(ALICE, T0 + 2 * MINUTE);
      assert.deepEqual((await store.homeViewersSince(T0 + 1)).sort(), [ALICE, BOB]);
    });
  });
}
