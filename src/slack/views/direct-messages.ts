import type { Button } from '@slack/web-api';
import { Duration } from 'luxon';
import { formatDuration } from '../../domain/duration.js';
import type { RevokeReason } from '../../domain/states.js';
import type { ExceptionRow, GrantRow, RequestRow } from '../../store/schema.js';
import type { ExceptionOutcome, RequestOutcome } from '../../services/ports.js';
import { mrkdwn, type SlackMessage } from './approval-message.js';
import { slackTime } from './time.js';
import { typedText } from './typed-text.js';

/** Texts for the requester's DMs and the security channel. `zone` is the reader's Slack tz. */
export const messages = {
  requestDecided(request: RequestRow, outcome: RequestOutcome): string {
    const duration = formatDuration(Duration.fromMillis(request.durationMs));
    if (request.extendsGrantId !== null) return messages.extensionDecided(request, outcome, duration);
    switch (outcome.kind) {
      case 'approved':
        return `✅ <@${outcome.by}> approved your request for *${request.resource}* (${duration}). Access is being set up; you will get a message when it is active.`;
      case 'lapsed':
        return `⌛ Your request for *${request.resource}* (\`${request.id}\`) lapsed: nobody decided in time. Ask again if you still need it, or ping the approvers.`;
      case 'withdrawn':
      case 'cancelled':
        return `↩️ Your request for *${request.resource}* (\`${request.id}\`) was withdrawn.`;
      case 'denied':
        return `❌ <@${outcome.by}> denied your request for *${request.resource}* (\`${request.id}\`).`;
    }
  },

  extensionDecided(request: RequestRow, outcome: RequestOutcome, duration: string): string {
    const what = `extending your access to *${request.resource}* (\`${request.extendsGrantId ?? ''}\`) by ${duration}`;
    switch (outcome.kind) {
      case 'approved':
        return `✅ <@${outcome.by}> approved ${what}. You will get a message when the new end is set up.`;
      case 'denied':
        return `❌ <@${outcome.by}> denied ${what}; your access still ends as before.`;
      case 'lapsed':
        return `⌛ Nobody decided on ${what} in time; your access still ends as before.`;
      case 'withdrawn':
      case 'cancelled':
        return `↩️ Your request for ${what} was withdrawn: the access has ended or cannot be extended again.`;
    }
  },

  accessActive(grant: GrantRow, zone: string | undefined): string {
    return `🔓 Your access to *${grant.resource}* is active until ${slackTime(grant.expiresAt, zone)}. Grant \`${grant.id}\`; end it early with \`/request release ${grant.id}\`.`;
  },

  accessExtended(grant: GrantRow, zone: string | undefined): string {
    return `🔓 Your access to *${grant.resource}* now lasts until ${slackTime(grant.expiresAt, zone)} (${formatDuration(Duration.fromMillis(grant.expiresAt - grant.grantedAt))} in all). Grant \`${grant.id}\`.`;
  },

  accessEnded(grant: GrantRow, reason: RevokeReason, by: string, zone: string | undefined): SlackMessage {
    const why: Record<RevokeReason, string> = {
      expired: 'it expired',
      released: 'you released it',
      revoked: `<@${by}> revoked it`,
      exception_closed: 'the exception it belonged to closed',
    };
    const when = slackTime(grant.revokedAt ?? grant.expiresAt, zone);
    const text = `🔒 Your access to *${grant.resource}* ended ${when}: ${why[reason]}. Grant \`${grant.id}\`.`;
    return {
      text,
      blocks: [
        { type: 'section', text: mrkdwn(text) },
        { type: 'actions', block_id: 'ended', elements: [{ type: 'button', action_id: 'request_again', text: { type: 'plain_text', text: 'Request again' }, value: grant.id }] },
      ],
    };
  },

  provisioningFailed(grant: GrantRow, error: string): string {
    return `⚠️ jitbot could not set up access to *${grant.resource}* for <@${grant.userId}> (grant \`${grant.id}\`): ${typedText(error)}`;
  },

  revocationFailed(grant: GrantRow, error: string): string {
    return `🚨 *Revocation failed*: <@${grant.userId}> still has access to *${grant.resource}* (grant \`${grant.id}\`, due to end ${slackTime(grant.expiresAt, 'utc')}). jitbot keeps retrying. Last error: ${typedText(error)}`;
  },

  revocationRecovered(grant: GrantRow): string {
    return `✅ Revocation of grant \`${grant.id}\` (<@${grant.userId}> on *${grant.resource}*) finally succeeded.`;
  },

  exceptionDecided(exception: ExceptionRow, outcome: ExceptionOutcome, zone: string | undefined): string {
    if (outcome.kind === 'denied') {
      return `❌ <@${outcome.by}> denied your opt-out exception for *${exception.resource}* (\`${exception.id}\`). Requests for it still need approval.`;
    }
    const until = exception.endsAt === null ? '' : ` until ${slackTime(exception.endsAt, zone)}`;
    const meaning =
      exception.mode === 'standing'
        ? 'You hold access for the whole window; you will get a message when it is active.'
        : `Your \`/request ${exception.resource} …\` is granted at once, without approval.`;
    return `✅ <@${outcome.by}> approved your opt-out exception for *${exception.resource}*: it is open${until}. ${meaning} Exception \`${exception.id}\`.`;
  },

  exceptionClosingSoon(exception: ExceptionRow, zone: string | undefined): string {
    const when = exception.endsAt === null ? 'soon' : slackTime(exception.endsAt, zone);
    return `⏳ Your exception for *${exception.resource}* (\`${exception.id}\`) closes ${when}. After that, requests need approval again.`;
  },

  exceptionClosed(exception: ExceptionRow): string {
    const how = exception.closeReason === 'revoked' ? ` (ended early${exception.closedBy ? ` by <@${exception.closedBy}>` : ''})` : '';
    return `🔒 Your exception for *${exception.resource}* has closed${how}; requests need approval again. Exception \`${exception.id}\`.`;
  },
};

/** `expiry_warning` before a grant ends: Extend (within policy) and Release, the grant ID as value. */
export function expiryWarning(grant: GrantRow, zone: string | undefined): SlackMessage {
  const text = `⏳ Your access to *${grant.resource}* ends ${slackTime(grant.expiresAt, zone)} (grant \`${grant.id}\`).`;
  return {
    text,
    blocks: [
      { type: 'section', text: mrkdwn(text) },
      {
        type: 'actions',
        block_id: 'expiry',
        elements: expiryButtons(grant.id),
      },
    ],
  };
}

/** Extend and Release on one's own grant: on the expiry warning and in App Home. */
export function expiryButtons(grantId: string): Button[] {
  return [
    { type: 'button', action_id: 'extend', style: 'primary', text: { type: 'plain_text', text: 'Extend' }, value: grantId },
    { type: 'button', action_id: 'release', text: { type: 'plain_text', text: 'Release now' }, value: grantId },
  ];
}
