import { redactSecrets } from './domain/redact.js';

/** The human-readable part of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The same, fit to store, audit, log or show: URLs as origin and path, no credentials. */
export function redactedErrorMessage(error: unknown): string {
  return redactSecrets(errorMessage(error));
}

/**
 * What went wrong underneath: the innermost `cause` (fetch's "fetch failed" hides
 * "connect ECONNREFUSED 127.0.0.1:3000" there), by its message or else its code.
 */
export function rootCause(error: unknown): string {
  let inner = error;
  while (inner instanceof Error && inner.cause !== undefined) inner = inner.cause;
  if (inner instanceof Error && inner.message === '' && 'code' in inner && typeof inner.code === 'string') return inner.code;
  return errorMessage(inner);
}
