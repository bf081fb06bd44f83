import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { DateTime } from 'luxon';
import { parsePolicy } from '../../../src/config/load-policy.js';
import type { Provisioner } from '../../../src/provisioners/provisioner.js';
import { createDriftDetector } from '../../../src/services/drift.js';
import type { DriftFindingRecord } from '../../../src/domain/records.js';
import { T0, tempStores } from '../store/temp-store.js';

const stores = tempStores();
after(() => stores.cleanup());
const quietLog = { debug() {}, info() {}, warn() {}, error() {} };

test('a finding recorded but never alerted (the process stopped in between) is alerted at the next check, once', async () => {
  const { store } = stores.fresh();
  const provisioner: Provisioner = { type: 'none', target: 'role:readers', apply: async () => undefined, check: async () => ['U0STRAY'] };
  // The earlier process recorded the finding, then stopped before alerting.
  await store.syncDrift({ target: 'role:readers', resource: 'vpn', findings: [{ kind: 'unmanaged', identity: 'U0STRAY', grantId: null, userId: null }], at: T0 });

  const alerted: DriftFindingRecord[] = [];
  const detector = createDriftDetector({
    store,
    provisioners: () => [['vpn', provisioner]],
    policy: () => parsePolicy('resources:\n  vpn: { channel: C0VPN, approvers: [U0A], max_duration: 1h }\n', 'p.yaml'),
    notifier: { driftFound: async (finding) => void alerted.push(finding), unmanagedRemoved: async () => undefined },
    clock: { now: () => DateTime.fromMillis(T0 + 60_000) },
    log: quietLog,
  });
  await detector.checkAll();
  await detector.checkAll();
  assert.deepEqual(alerted.map((f) => [f.kind, f.identity]), [['unmanaged', 'U0STRAY']]);
});
