import { flushChain, lockChain } from './audit-log.js';
import type { Db, Transaction } from './database.js';

/**
 * A state change as one transaction, serialized with every other writer on every replica, as
 * SQLite's IMMEDIATE transactions are: its first statement locks the audit chain's head row, so
 * a writer waits for the one before it to commit, and each statement after the lock (READ
 * COMMITTED) sees everything committed before. Two approvers on two replicas cannot both read
 * "pending", a burst cannot slip past a limit, and the chain cannot fork. Reads outside these
 * transactions take no lock and never wait. The events a transaction appends are written together
 * before it commits, so the lock is held for a few statements, not three per event.
 */
export function writeTransaction(db: Db): Transaction {
  return (fn) =>
    db.transaction(async (tx) => {
      await lockChain(tx);
      const result = await fn(tx);
      await flushChain(tx);
      return result;
    });
}
