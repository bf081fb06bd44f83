import type { DatabaseLocation } from '../config/env.js';
import type { AuditKey } from '../domain/audit-chain.js';
import type { Store } from './store.js';

/** The location for people: a file path, or the PostgreSQL URL without its password. */
export function describeLocation(location: DatabaseLocation): string {
  if (location.kind === 'sqlite') return location.path;
  const url = new URL(location.url);
  if (url.password) url.password = '***';
  return url.toString();
}

/** Opens the store (creating and migrating the database if needed); only that adapter's code is loaded. */
export async function openStore(location: DatabaseLocation, { auditKey }: { auditKey: AuditKey }): Promise<Store> {
  if (location.kind === 'postgres') {
    const [{ openPostgres }, { createPostgresStore }] = await Promise.all([import('./postgres/database.js'), import('./postgres/store.js')]);
    return createPostgresStore(await openPostgres(location.url), { auditKey });
  }
  const [{ openDatabase }, { createSqliteStore }] = await Promise.all([import('./sqlite/database.js'), import('./sqlite/store.js')]);
  return createSqliteStore(openDatabase(location.path), { auditKey });
}
