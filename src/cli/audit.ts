import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { z } from 'zod';
import { isoInstant } from '../config/iso-instant.js';
import type { AuditKey } from '../domain/audit-chain.js';
import { systemClock } from '../domain/clock.js';
import { AUDIT_STREAM } from '../jobs/audit-forwarder.js';
import { reachesCheckpoint, readCheckpoint } from '../services/audit-checkpoint.js';
import { exportAudit } from '../services/audit-export.js';
import { CommandLineError, wordsOf } from './command-line.js';
import { withStore } from './with-store.js';

/** `jitbot audit verify | resume-forwarding | export`. */
export async function auditVerify(key: AuditKey, checkpointArg: string | undefined): Promise<number> {
  const checkpoint = checkpointArg === undefined ? undefined : readCheckpoint(checkpointArg, key, (path) => readFileSync(path, 'utf8'));
  if (checkpoint && !checkpoint.ok) throw new CommandLineError(`--checkpoint ${checkpoint.error}`);
  return withStore(key, async (store) => {
    const check = await store.verifyAuditChain();
    if (!check.ok) {
      process.stderr.write(`audit chain BROKEN at event ${check.brokenAt}: ${check.problem} (${check.count} events verified before it)\n`);
      return 1;
    }
    const unkeyed = check.unkeyed > 0 ? `; events 1–${check.unkeyed} were written before AUDIT_HMAC_KEY and are only hash-chained (unkeyed before seq ${check.unkeyed + 1})` : '';
    const head = check.head ? ` up to ${check.head.seq}:${check.head.hash}` : '';
    if (checkpoint) {
      const held = await store.auditEventAt(checkpoint.value.seq);
      const missed = reachesCheckpoint(checkpoint.value, check.head, () => held?.hash);
      if (missed) {
        process.stderr.write(`audit chain does NOT reach the checkpoint: ${missed}\n`);
        return 1;
      }
    }
    const held = checkpoint ? `; reaches the ${checkpoint.value.signed ? 'signed ' : ''}checkpoint at event ${checkpoint.value.seq}` : '';
    process.stdout.write(`audit chain OK: ${check.count} events${head}${held}${unkeyed}\n`);
    return 0;
  });
}

const resumeAfter = z.coerce.number({ error: '--after: expected the seq of the last event the SIEM holds' }).int('--after: expected a whole number').min(0, '--after: expected 0 or more');

export async function resumeForwarding(key: AuditKey, flags: { after?: string }): Promise<number> {
  if (flags.after === undefined) throw new CommandLineError('--after <seq> is required');
  const parsed = resumeAfter.safeParse(flags.after);
  if (!parsed.success) throw new CommandLineError(`${wordsOf(parsed.error)}, got "${flags.after}"`);
  const after = parsed.data;
  return withStore(key, async (store, where) => {
    const position = await store.resumeAuditForwarding(AUDIT_STREAM, after, `cli:${userInfo().username}`, systemClock.now().toMillis());
    if (!position) {
      process.stderr.write(`jitbot audit resume-forwarding: there is no event ${after} in ${where}\n`);
      return 1;
    }
    process.stdout.write(`${AUDIT_STREAM} resumes after event ${position.seq}\n`);
    return 0;
  });
}

const isoDate = (flag: string) => isoInstant(`${flag}: expected an ISO 8601 date like 2026-11-01 or 2026-11-01T09:00:00Z`).optional();

const exportOptions = z.object({
  since: isoDate('--since'),
  until: isoDate('--until'),
  format: z.enum(['jsonl', 'csv'], { error: '--format: expected jsonl or csv' }).default('jsonl'),
});

export function auditExport(key: AuditKey, flags: { since?: string; until?: string; format?: string }): Promise<number> {
  const checked = exportOptions.safeParse(flags);
  if (!checked.success) throw new CommandLineError(wordsOf(checked.error));
  const parsed = checked.data;
  return withStore(key, async (store) => {
    const range = { since: parsed.since ?? 0, until: parsed.until ?? Number.MAX_SAFE_INTEGER };
    await exportAudit(store, range, parsed.format, (chunk) => process.stdout.write(chunk));
    return 0;
  });
}
