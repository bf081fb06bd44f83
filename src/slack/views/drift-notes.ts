import type { DriftFindingRecord } from '../../domain/records.js';
import { typedText } from './typed-text.js';

/** Security-channel alerts about drift between a provisioner and the grants. */
export const driftNotes = {
  found(f: DriftFindingRecord): string {
    return f.kind === 'unmanaged'
      ? `⚠️ *Drift on ${f.resource}*: \`${typedText(f.identity)}\` holds the access (\`${f.target}\`) without a jitbot grant: it was granted outside jitbot. Finding \`${f.id}\`; it stays on every review until it is gone.`
      : `⚠️ *Drift on ${f.resource}*: grant \`${f.grantId ?? ''}\` of <@${f.userId ?? ''}> is active, but \`${typedText(f.identity)}\` no longer has the access (\`${f.target}\`). Finding \`${f.id}\`.`;
  },
  removed: (f: DriftFindingRecord): string =>
    `🧹 *${f.resource}*: removed \`${typedText(f.identity)}\`'s access (\`${f.target}\`), held without a grant (\`revoke_unmanaged\`). Finding \`${f.id}\`.`,
};
