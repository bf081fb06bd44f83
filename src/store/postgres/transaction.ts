import { sql } from 'drizzle-orm';
import type { Db, Transaction } from './database.js';

/**
 * A state change as one transaction, serialized with every other writer on every replica, as
 * SQLite's IMMEDIATE transactions are: its first statement locks the audit chain's head row, so
 * a writer waits for the one before it to commit, and each statement after the lock (READ
 * COMMITTED) sees everything committed before. Two approvers on two replicas cannot both read
 * "pending", a burst cannot slip past a limit, and the chain cannot fork. Reads outside these
 * transactions take no lock and never wait.
 */
export function writeTransaction(db: Db): Transaction {
  return (fn) =>
    db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from audit_chain_head where id = 1 for update`);
      return fn(tx);
    });
}
