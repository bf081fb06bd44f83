import { typedText } from './typed-text.js';
import type { SignedCheckpoint } from '../../domain/audit-chain.js';
import { accessEndsAt } from '../../domain/states.js';
import type { GrantRecord } from '../../domain/records.js';
import { couldNotSetUp, provisionerErrorFor } from './provisioner-error.js';
import { slackTime } from './time.js';

/** Announcements and alerts in the security channel: privileged acts, provisioners that keep failing, audit checkpoints. */
export const securityNotes = {
  revokedAll(actorId: string, scope: string, reason: string, counts: { grants: number; exceptions: number }): string {
    const who = actorId.startsWith('cli:') ? `\`${actorId}\`` : `<@${actorId}>`;
    return `🚨 *Revoke-all* by ${who}: ${scope}. ${counts.grants} grant(s) and ${counts.exceptions} opt-out exception(s) are being revoked now. Reason: ${typedText(reason)}`;
  },

  policyChanged(from: string, to: string, changes: readonly string[]): string {
    const shown = changes.length ? changes.slice(0, 40).map((c) => `• ${c}`).join('\n') : '• formatting only: no rule changed';
    const more = changes.length > 40 ? `\n…and ${changes.length - 40} more (see the \`policy.changed\` audit event)` : '';
    return `🛡️ *The access policy changed* (version \`${from}\` → \`${to}\`). Requests already waiting keep the rules they were made under.\n${shown}${more}`;
  },

  /** With the whole signed checkpoint as JSON, to be saved to a file for `audit verify --checkpoint`. */
  auditCheckpoint(checkpoint: SignedCheckpoint): string {
    return `🔏 *Audit checkpoint*: the audit trail reached event ${checkpoint.seq}. \`jitbot audit verify --checkpoint ${checkpoint.seq}:${checkpoint.head_hash}\` (or this JSON saved to a file) fails if the database no longer reaches it.\n\`\`\`${JSON.stringify(checkpoint)}\`\`\``;
  },

  auditStreamStopped(problem: string): string {
    return `🚨 *The audit stream to the SIEM stopped* rather than skip events: ${problem}. Check the audit trail (\`jitbot audit verify\`), then \`jitbot audit resume-forwarding --after <seq>\` with the last event the SIEM holds.`;
  },

  /** Setting access up failed in a way retrying cannot fix, or jitbot stopped trying (`final`). */
  provisioningFailed: (grant: GrantRecord, error: string, how: { final: boolean }): string => couldNotSetUp(grant, provisionerErrorFor.security(error), how.final),

  /** The one alert of a revocation that keeps failing: overdue while retrying, or revoke_failed. */
  revocationFailing(grant: GrantRecord, error: string): string {
    const due = `due to end ${slackTime(accessEndsAt(grant), 'utc')}`;
    const head =
      grant.status === 'revoke_failed'
        ? `🚨 *Revocation failed*: <@${grant.userId}> still has access to *${grant.resource}* (grant \`${grant.id}\`, ${due}), now \`revoke_failed\`. jitbot keeps retrying.`
        : `🚨 *Revocation overdue*: <@${grant.userId}> still has access to *${grant.resource}* (grant \`${grant.id}\`, ${due}); every attempt to revoke it has failed so far, and jitbot is retrying.`;
    return `${head} Last error: ${provisionerErrorFor.security(error)}`;
  },

  /** The alert redrawn once the revocation went through. */
  revocationSucceeded(grant: GrantRecord, lastError: string | null): string {
    const after = lastError === null ? '' : ` (last error before: ${provisionerErrorFor.security(lastError)})`;
    return `✅ *Revocation succeeded*: <@${grant.userId}>'s access to *${grant.resource}* (grant \`${grant.id}\`) is revoked, ${slackTime(grant.revokedAt ?? grant.expiresAt, 'utc')}, after failed attempts${after}.`;
  },

  revocationRecovered(grant: GrantRecord): string {
    return `✅ Revocation of grant \`${grant.id}\` (<@${grant.userId}> on *${grant.resource}*) finally succeeded.`;
  },
};
