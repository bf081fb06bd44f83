/** What only the SQLite adapter does: its write lock held off a second process mid-transaction. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ApproveOutcome } from '../../../src/store/store.js';
import { approveInput, createPendingRequest, LEAD1, LEAD2, tempStores } from './temp-store.js';

const stores = tempStores();
after(() => stores.cleanup());

test('an approval arriving while another is mid-transaction is held off (SQLITE_BUSY); retried, it finds the request decided and writes no grant', async () => {
  const t = stores.fresh();
  const other = t.reopen();
  other.open.sqlite.pragma('busy_timeout = 0');
  const request = await createPendingRequest(t.store);

  let inFlight: Promise<ApproveOutcome> | undefined;
  const first = await t.store.approve(
    approveInput(request.id, LEAD1, {
      newGrant: (r) => {
        // Connection 1 holds the write lock here; connection 2 tries to decide the same request.
        inFlight = other.store.approve(approveInput(request.id, LEAD2));
        return approveInput(request.id, LEAD1).newGrant(r);
      },
    }),
  );
  assert.equal(first.kind, 'approved');
  assert.ok(inFlight, 'the second approval was attempted');
  await assert.rejects(inFlight, (error: unknown) => /SQLITE_BUSY/.test(String((error as { code?: unknown }).code)));

  assert.equal((await other.store.approve(approveInput(request.id, LEAD2))).kind, 'not_pending');
  assert.equal(t.count('grants'), 1);
});
