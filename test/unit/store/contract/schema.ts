import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALICE, approvedGrant, CHECK_FAILED, createPendingRequest, MINUTE, saying, T0, type Fresh } from './harness.js';

/** SQLite says "UNIQUE constraint failed", PostgreSQL "violates unique constraint". */
const UNIQUE_FAILED = saying(/unique constraint/i);

export function schemaCases(fresh: Fresh): void {
  describe('the schema refuses invalid states written directly', () => {
    test('an unknown request status', async () => {
      const db = await fresh();
      const request = await createPendingRequest(db.store);
      await assert.rejects(db.sql(`update requests set status = 'approvedish' where id = '${request.id}'`), CHECK_FAILED);
      assert.equal((await db.store.findRequest(request.id))?.status, 'pending');
    });

    test('an unknown grant status', async () => {
      const db = await fresh();
      const grant = await approvedGrant(db.store, { grantedAt: T0, expiresAt: T0 + MINUTE });
      await assert.rejects(db.sql(`update grants set status = 'paused' where id = '${grant.id}'`), CHECK_FAILED);
      assert.equal((await db.store.findGrant(grant.id))?.status, 'active');
    });

    test('a second grant for the same request', async () => {
      const db = await fresh();
      const grant = await approvedGrant(db.store, { grantedAt: T0, expiresAt: T0 + MINUTE });
      await assert.rejects(
        db.sql(`insert into grants (id, request_id, user_id, resource, reason, granted_at, expires_at) values ('grt-dup', '${grant.requestId}', '${ALICE}', 'prod-db', 'x', ${T0}, ${T0 + MINUTE})`),
        UNIQUE_FAILED,
      );
    });
  });
}
