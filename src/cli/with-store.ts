import { resolve } from 'node:path';
import { parseAuditKey, parseDatabase, type DatabaseLocation } from '../config/env.js';
import { ConfigError } from '../config/errors.js';
import type { AuditKey } from '../domain/audit-chain.js';
import { describeLocation, openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { CommandSetupError } from './command-line.js';

/** A SQLite path is the caller's, relative to where the command runs. */
export const absolute = (location: DatabaseLocation): DatabaseLocation => (location.kind === 'sqlite' ? { kind: 'sqlite', path: resolve(location.path) } : location);

/** `DATABASE_URL` or `DATABASE_PATH`, as the bot reads them. */
export function databaseLocation(): DatabaseLocation {
  try {
    return absolute(parseDatabase(process.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CommandSetupError(error.message);
  }
}

/** Opens the bot's store (DATABASE_URL or DATABASE_PATH), runs one command on it, and closes it. */
export async function withStore(key: AuditKey, command: (store: Store, where: string) => Promise<number>): Promise<number> {
  const location = databaseLocation();
  const store = await openStore(location, { auditKey: key });
  try {
    return await command(store, describeLocation(location));
  } finally {
    await store.close();
  }
}

/** `AUDIT_HMAC_KEY`, which every command that opens the database needs: the audit trail is keyed with it. */
export function auditKey(): AuditKey {
  try {
    return parseAuditKey(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CommandSetupError(`${error.message} (the audit trail is keyed with it: use the bot's value)`);
  }
}
