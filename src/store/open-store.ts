import type { DatabaseLocation } from '../config/env.js';
import type { AuditKey } from '../domain/audit-chain.js';
import { openPostgres } from './postgres/database.js';
import { createPostgresStore } from './postgres/store.js';
import { openDatabase } from './sqlite/database.js';
import { createSqliteStore } from './sqlite/store.js';
import type { Store } from './store.js';

/** The location for people: a file path, or the PostgreSQL URL without its password. */
export function describeLocation(location: DatabaseLocation): string {
  if (location.kind === 'sqlite') return location.path;
  const url = new URL(location.url);
  if (url.password) url.password = '***';
  return url.toString();
}

/** Opens the store (creating and migrating the database if needed). */
export async function openStore(location: DatabaseLocation, { auditKey }: { auditKey: AuditKey }): Promise<Store> {
  if (location.kind === 'postgres') return createPostgresStore(await openPostgres(location.url), { auditKey });
  return createSqliteStore(openDatabase(location.path), { auditKey });
}
