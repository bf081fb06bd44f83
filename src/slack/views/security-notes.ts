import { typedText } from './typed-text.js';

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
};
