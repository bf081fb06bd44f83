import { typedText } from './typed-text.js';
import type { SignedCheckpoint } from '../../domain/audit-chain.js';

/** Announcements in the security channel about privileged acts. */
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
};
