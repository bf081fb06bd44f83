import { z } from 'zod';
import { checkpointSignatureValid, type AuditKey, type SignedCheckpoint } from '../domain/audit-chain.js';
import { err, ok, type Result } from '../domain/result.js';

/** What `audit verify --checkpoint` holds the database against: a position, signed when it came from jitbot. */
export interface HeldCheckpoint {
  seq: number;
  hash: string;
  signed: boolean;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 hex digits');
const signed = z.strictObject({ seq: z.number().int().min(1), head_hash: hex64, at: z.iso.datetime(), signature: hex64 });
/** A checkpoint as posted in Slack, or as the SIEM received it (`{ type: 'audit.checkpoint', data }`). */
const checkpointFile = z.union([signed, z.object({ type: z.literal('audit.checkpoint'), data: signed }).transform((body) => body.data)]);

const SHORT = /^(\d+):([0-9a-f]{64})$/;

/**
 * `seq:hash` (as the Slack post shows it; taken as given), or a file holding a signed
 * checkpoint, whose signature must verify with the audit key.
 */
export function readCheckpoint(arg: string, key: AuditKey, readFile: (path: string) => string): Result<HeldCheckpoint> {
  const short = SHORT.exec(arg);
  if (short?.[1] !== undefined && short[2] !== undefined) return ok({ seq: Number(short[1]), hash: short[2], signed: false });
  let text: string;
  try {
    text = readFile(arg);
  } catch {
    return err(`${arg}: expected seq:hash (e.g. 42:3f…) or a file holding a checkpoint`);
  }
  let parsed: z.ZodSafeParseResult<SignedCheckpoint>;
  try {
    parsed = checkpointFile.safeParse(JSON.parse(text));
  } catch {
    return err(`${arg}: not JSON; expected a checkpoint as jitbot posts it`);
  }
  if (!parsed.success) return err(`${arg}: not a jitbot checkpoint (${parsed.error.issues.map((i) => `${i.path.join('.') || 'checkpoint'}: ${i.message}`).join('; ')})`);
  if (!checkpointSignatureValid(key, parsed.data)) return err(`${arg}: the checkpoint's signature does not verify with AUDIT_HMAC_KEY (altered, or signed with another key)`);
  return ok({ seq: parsed.data.seq, hash: parsed.data.head_hash, signed: true });
}

/** Whether the database still reaches the checkpoint: the event at its seq is there, with its hash. */
export function reachesCheckpoint(checkpoint: HeldCheckpoint, head: { seq: number } | undefined, hashAt: (seq: number) => string | undefined): string | undefined {
  const hash = hashAt(checkpoint.seq);
  if (hash === undefined) return `the log ends at event ${head?.seq ?? 0}, before the checkpoint's event ${checkpoint.seq}: events were removed`;
  if (hash !== checkpoint.hash) return `event ${checkpoint.seq} no longer has the checkpoint's hash: the events up to it were changed or rehashed`;
  return undefined;
}
