import { randomBytes } from 'node:crypto';

// Crockford base32 without i, l, o, u: short IDs people can read out and type.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export type IdPrefix = 'req' | 'grt' | 'exc' | 'rev' | 'drf';

/** `req-7fk2m9qa3d`: 50 random bits, never all digits and free of `:` (BullMQ job-ID rules). */
export function newId(prefix: IdPrefix): string {
  const bytes = randomBytes(10);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte & 31];
  return `${prefix}-${id}`;
}
