import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The audit trail's hash chain, as pure functions of the values exactly as stored (integers
 * and strings), so every store adapter computes the same hashes.
 *
 * Each event's hash is HMAC-SHA256, keyed with `AUDIT_HMAC_KEY`, over its predecessor's hash
 * and the canonical JSON of its stored fields, `seq` included: whoever can write the database
 * file but does not hold the key cannot recompute the chain after changing, removing or
 * renumbering an event. Events written before jitbot had a key were chained with plain
 * SHA-256 and no `seq` ("unkeyed"); they can only come before the first keyed one.
 */

export const GENESIS_HASH = '0'.repeat(64);

/** The secret that keys the chain, checkpoints and the forwarder's position; never stored in the database. */
export type AuditKey = string;

/** An audit event as stored: `details` is the stored JSON text. */
export interface StoredEvent {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  resource: string | null;
  reason: string | null;
  details: string;
}

/** The hashed body: `details` as canonical JSON, so re-serialising it without changing its meaning still verifies. */
function body(event: Omit<StoredEvent, 'seq'> & { seq?: number }): string {
  return canonicalize({ ...event, details: JSON.parse(event.details) as unknown }) ?? '';
}

export function keyedHash(key: AuditKey, prevHash: string, event: StoredEvent): string {
  return createHmac('sha256', key).update(prevHash).update(body(event)).digest('hex');
}

/** The hash of an event written before the chain was keyed (no key, no `seq`). */
export function unkeyedHash(prevHash: string, event: StoredEvent): string {
  const { seq: _seq, ...rest } = event;
  return createHash('sha256').update(prevHash).update(body(rest)).digest('hex');
}

/** The first keyed event after events written before the chain had a key: it names where the keyed chain starts. */
export const CHAIN_KEYED = 'audit.chain_keyed';

/** An audit event as stored with its links. */
export interface ChainedEvent extends StoredEvent {
  prevHash: string;
  hash: string;
}

/** A place in the chain: an event's seq and hash. */
export interface ChainPosition {
  seq: number;
  hash: string;
}

export type ChainCheck =
  /** `unkeyed`: events at the start written before the chain was keyed (0 on a database that always had the key). */
  | { ok: true; count: number; unkeyed: number; head: ChainPosition | undefined }
  | { ok: false; count: number; brokenAt: number; problem: string };

/** How far a verification walk has come: the adapters read the chain in pages and feed it here. */
export interface ChainWalk {
  readonly prevHash: string;
  readonly lastSeq: number;
  readonly count: number;
  readonly unkeyed: number;
}

export const CHAIN_WALK_START: ChainWalk = { prevHash: GENESIS_HASH, lastSeq: 0, count: 0, unkeyed: 0 };

/** The next page of the chain, in seq order, checked link by link: the walk so far, or the first break. */
export function walkChainPage(key: AuditKey, from: ChainWalk, page: readonly ChainedEvent[]): { ok: true; walk: ChainWalk } | { ok: false; broken: ChainCheck } {
  let { prevHash, lastSeq, count, unkeyed } = from;
  for (const row of page) {
    const { seq } = row;
    const broken = (problem: string) => ({ ok: false as const, broken: { ok: false as const, count, brokenAt: seq, problem } });
    if (row.prevHash !== prevHash) return broken('previous-hash link does not match');
    const { prevHash: _prev, hash: _hash, ...event } = row;
    if (row.hash === keyedHash(key, prevHash, event)) {
      if (unkeyed === count && unkeyed > 0 && !(row.action === CHAIN_KEYED && row.details === JSON.stringify({ unkeyed_before: seq }))) {
        return broken(`the unkeyed events before it are not sealed by an ${CHAIN_KEYED} event`);
      }
    } else if (unkeyed === count && row.hash === unkeyedHash(prevHash, event)) {
      unkeyed += 1;
    } else {
      return broken(unkeyed === count ? 'event content does not match its hash (or AUDIT_HMAC_KEY is not the key it was written with)' : 'event content does not match its hash');
    }
    prevHash = row.hash;
    lastSeq = seq;
    count += 1;
  }
  return { ok: true, walk: { prevHash, lastSeq, count, unkeyed } };
}

/**
 * The verdict once every page was walked. `highestSeqEver`: the highest seq the database ever
 * handed out (SQLite's AUTOINCREMENT counter, PostgreSQL's chain head), so that events removed
 * from the end are noticed.
 */
export function chainVerdict(walk: ChainWalk, highestSeqEver: number): ChainCheck {
  const { count, unkeyed, lastSeq, prevHash } = walk;
  if (unkeyed > 0 && unkeyed === count) {
    return { ok: false, count, brokenAt: lastSeq, problem: `no event is keyed: all ${count} could have been rewritten by anyone with the file (start jitbot with AUDIT_HMAC_KEY once to seal them)` };
  }
  if (highestSeqEver > lastSeq) return { ok: false, count, brokenAt: lastSeq + 1, problem: `events after seq ${lastSeq} were removed (the log once reached seq ${highestSeqEver})` };
  return { ok: true, count, unkeyed, head: count === 0 ? undefined : { seq: lastSeq, hash: prevHash } };
}

/** A signature under the key for a purpose (`checkpoint`, `position`), so one can never stand in for the other. */
function sign(key: AuditKey, purpose: string, fields: readonly (string | number)[]): string {
  return createHmac('sha256', key).update(`jitbot audit ${purpose}\n${fields.join('\n')}`).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** Where the chain stood at a moment: kept outside the database, the database must still reach it. */
export interface Checkpoint {
  seq: number;
  head_hash: string;
  /** ISO 8601 */
  at: string;
}

export interface SignedCheckpoint extends Checkpoint {
  /** Hex HMAC-SHA256 under the audit key of `seq`, `head_hash` and `at`. */
  signature: string;
}

export function signCheckpoint(key: AuditKey, checkpoint: Checkpoint): SignedCheckpoint {
  return { ...checkpoint, signature: sign(key, 'checkpoint', [checkpoint.seq, checkpoint.head_hash, checkpoint.at]) };
}

export function checkpointSignatureValid(key: AuditKey, checkpoint: SignedCheckpoint): boolean {
  return sameHex(sign(key, 'checkpoint', [checkpoint.seq, checkpoint.head_hash, checkpoint.at]), checkpoint.signature);
}

/** The audit forwarder's position in a stream (the last event delivered), signed so it cannot be moved silently. */
export function signPosition(key: AuditKey, stream: string, seq: number, hash: string): string {
  return sign(key, 'position', [stream, seq, hash]);
}

export function positionSignatureValid(key: AuditKey, stream: string, seq: number, hash: string, signature: string): boolean {
  return sameHex(signPosition(key, stream, seq, hash), signature);
}
