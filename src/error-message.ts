import { redactSecrets } from './domain/redact.js';

/** The human-readable part of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The same, fit to store, audit, log or show: URLs as origin and path, no credentials. */
export function redactedErrorMessage(error: unknown): string {
  return redactSecrets(errorMessage(error));
}
