import { Duration } from 'luxon';
import { formatDuration } from '../../domain/duration.js';
import type { RevokeReason } from '../../domain/states.js';
import type { GrantRow, RequestRow } from '../../store/schema.js';
import type { RequestOutcome } from '../../services/ports.js';
import { slackTime } from './time.js';

/** Texts for the requester's DMs and the security channel. `zone` is the reader's Slack tz. */
export const messages = {
  requestDecided(request: RequestRow, outcome: RequestOutcome): string {
    const duration = formatDuration(Duration.fromMillis(request.durationMs));
    return outcome.kind === 'approved'
      ? `✅ <@${outcome.by}> approved your request for *${request.resource}* (${duration}). Access is being set up; you will get a message when it is active.`
      : `❌ <@${outcome.by}> denied your request for *${request.resource}* (\`${request.id}\`).`;
  },

  accessActive(grant: GrantRow, zone: string | undefined): string {
    return `🔓 Your access to *${grant.resource}* is active until ${slackTime(grant.expiresAt, zone)}. Grant \`${grant.id}\`; end it early with \`/request release ${grant.id}\`.`;
  },

  accessEnded(grant: GrantRow, reason: RevokeReason, by: string, zone: string | undefined): string {
    const why: Record<RevokeReason, string> = {
      expired: 'it expired',
      released: 'you released it',
      revoked: `<@${by}> revoked it`,
      exception_closed: 'the exception it belonged to closed',
    };
    const when = slackTime(grant.revokedAt ?? grant.expiresAt, zone);
    return `🔒 Your access to *${grant.resource}* ended ${when}: ${why[reason]}. Grant \`${grant.id}\`.`;
  },

  provisioningFailed(grant: GrantRow, error: string): string {
    return `⚠️ jitbot could not set up access to *${grant.resource}* for <@${grant.userId}> (grant \`${grant.id}\`): ${error}`;
  },

  revocationFailed(grant: GrantRow, error: string): string {
    return `🚨 *Revocation failed*: <@${grant.userId}> still has access to *${grant.resource}* (grant \`${grant.id}\`, due to end ${slackTime(grant.expiresAt, 'utc')}). jitbot keeps retrying. Last error: ${error}`;
  },

  revocationRecovered(grant: GrantRow): string {
    return `✅ Revocation of grant \`${grant.id}\` (<@${grant.userId}> on *${grant.resource}*) finally succeeded.`;
  },
};
