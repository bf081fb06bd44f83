import { Duration } from 'luxon';
import type { Policy } from '../../config/policy-schema.js';
import { compactDuration, formatDuration } from '../../domain/duration.js';
import type { GrantRow, RequestRow } from '../../store/schema.js';
import { slackTime } from './time.js';

/** Ephemeral replies to `/request …`. */
export const replies = {
  help(policy: Policy): string {
    const resources = Object.entries(policy.resources)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, r]) => `• *${name}* (up to ${compactDuration(r.max_duration)})${r.description ? ` — ${r.description}` : ''}`)
      .join('\n');
    return [
      '*jitbot: access when you need it, for as long as you need it*',
      '`/request <resource> <duration> <reason>` — ask for access, e.g. `/request prod-db 30m debugging INC-4211`',
      '`/request` — the same, in a form',
      '`/request list` — your pending requests and active access',
      '`/request release <grant-id or resource>` — end your access now',
      '`/request cancel <request-id>` — withdraw a pending request',
      '`/request revoke <grant-id>` — approvers: end someone’s access now',
      'Durations: `90s`, `30m`, `2h`, `1h30m`, `1d`.',
      '',
      '*Resources*',
      resources,
    ].join('\n');
  },

  requested(request: RequestRow, channel: string, posted: boolean): string {
    const duration = formatDuration(Duration.fromMillis(request.durationMs));
    return posted
      ? `📨 Asked for *${request.resource}* for ${duration} (\`${request.id}\`). Approvers were notified in <#${channel}>; you will get a DM when they decide. \`/request cancel ${request.id}\` withdraws it.`
      : `📨 Recorded your request for *${request.resource}* (\`${request.id}\`), but Slack refused the message to <#${channel}>; jitbot retries it shortly. Tell an approver if it is urgent.`;
  },

  cancelled: (request: RequestRow) => `↩️ Cancelled \`${request.id}\` (${request.resource}).`,

  released: (grants: readonly GrantRow[]) =>
    `🔒 Ending ${grants.map((g) => `*${g.resource}* (\`${g.id}\`)`).join(', ')} now. You will get a message when it is done.`,

  revoked: (grant: GrantRow) => `🔒 Revoking <@${grant.userId}>'s access to *${grant.resource}* (\`${grant.id}\`) now.`,

  list(pending: readonly RequestRow[], active: readonly GrantRow[], zone: string | undefined): string {
    if (pending.length === 0 && active.length === 0) return 'You have no pending requests and no active access.';
    const lines: string[] = [];
    if (active.length > 0) {
      lines.push('*Active access*');
      for (const g of active) lines.push(`• *${g.resource}* until ${slackTime(g.expiresAt, zone)} — \`${g.id}\``);
    }
    if (pending.length > 0) {
      lines.push('*Waiting for approval*');
      for (const r of pending) {
        lines.push(`• *${r.resource}* for ${formatDuration(Duration.fromMillis(r.durationMs))}, asked ${slackTime(r.createdAt, zone)} — \`${r.id}\``);
      }
    }
    return lines.join('\n');
  },

  notYet: (what: string) => `${what} is not available in this version of jitbot yet. \`/request help\` lists what works.`,
};
