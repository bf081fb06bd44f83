import type { Button } from '@slack/web-api';
import { Duration } from 'luxon';
import { formatDuration } from '../../domain/duration.js';
import { setupTrouble, type RevokeReason } from '../../domain/states.js';
import type { ExceptionRecord, GrantRecord, RequestRecord } from '../../domain/records.js';
import type { ExceptionOutcome, RequestOutcome } from '../../services/ports.js';
import { mrkdwn, type SlackMessage } from './approval-message.js';
import { provisionerErrorFor } from './provisioner-error.js';
import { slackTime } from './time.js';
import { typedText } from './typed-text.js';

/** Texts for the requester's DMs. `zone` is the reader's Slack tz. */
export const messages = {
  requestDecided(request: RequestRecord, outcome: RequestOutcome): string {
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

  extensionDecided(request: RequestRecord, outcome: RequestOutcome, duration: string): string {
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

  accessActive(grant: GrantRecord, zone: string | undefined): string {
    return `🔓 Your access to *${grant.resource}* is active until ${slackTime(grant.expiresAt, zone)}. Grant \`${grant.id}\`; end it early with \`/request release ${grant.id}\`.`;
  },

  accessExtended(grant: GrantRecord, zone: string | undefined): string {
    return `🔓 Your access to *${grant.resource}* now lasts until ${slackTime(grant.expiresAt, zone)} (${formatDuration(Duration.fromMillis(grant.expiresAt - grant.grantedAt))} in all). Grant \`${grant.id}\`.`;
  },

  accessEnded(grant: GrantRecord, reason: RevokeReason, by: string, zone: string | undefined): SlackMessage {
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

  /** The first failed attempt to set the access up: not active yet, and what jitbot does about it. `ownWords`: see provisionerErrorFor. */
  setupFailing(grant: GrantRecord, permanent: boolean, ownWords?: string): string {
    const next = permanent
      ? 'Retrying cannot fix this by itself: ask the approvers or the owners of the system to fix it. jitbot tries again now and then, less often.'
      : 'jitbot keeps trying; you will get a message when it is active.';
    return `⏳ Your access to *${grant.resource}* is not active yet: setting it up failed (${provisionerErrorFor.requester(grant.id, ownWords)}). ${next}`;
  },

  /** jitbot stopped trying to set it up. */
  setupGaveUp(grant: GrantRecord, ownWords?: string): string {
    return `❌ Your access to *${grant.resource}* could not be set up, and jitbot has stopped trying (${provisionerErrorFor.requester(grant.id, ownWords)}). Once it is fixed, ask again with \`/request\`.`;
  },

  /** A later attempt set it up after earlier ones failed. */
  setupRecovered(grant: GrantRecord, zone: string | undefined): string {
    return `🔓 Your access to *${grant.resource}* is now active, until ${slackTime(grant.expiresAt, zone)}: a later attempt to set it up succeeded. Grant \`${grant.id}\`; end it early with \`/request release ${grant.id}\`.`;
  },

  exceptionDecided(exception: ExceptionRecord, outcome: ExceptionOutcome, zone: string | undefined): string {
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

  exceptionClosingSoon(exception: ExceptionRecord, zone: string | undefined): string {
    const when = exception.endsAt === null ? 'soon' : slackTime(exception.endsAt, zone);
    return `⏳ Your exception for *${exception.resource}* (\`${exception.id}\`) closes ${when}. After that, requests need approval again.`;
  },

  exceptionClosed(exception: ExceptionRecord): string {
    const how = exception.closeReason === 'revoked' ? ` (ended early${exception.closedBy ? ` by <@${exception.closedBy}>` : ''})` : '';
    return `🔒 Your exception for *${exception.resource}* has closed${how}; requests need approval again. Exception \`${exception.id}\`.`;
  },
};

/**
 * How a grant whose setup failed, or keeps failing, reads in `/request list` and App Home;
 * undefined for access that works (or has not been tried yet).
 */
export function setupTroubleLine(grant: GrantRecord): string | undefined {
  const why = provisionerErrorFor.requester(grant.id);
  switch (setupTrouble(grant)) {
    case 'failed':
      return `❌ not set up: jitbot has stopped trying (${why})`;
    case 'failing':
      return `⚠️ not active yet: setting it up failed, jitbot keeps trying (${why})`;
    case undefined:
      return undefined;
  }
}

/** `expiry_warning` before a grant ends: Extend (within policy) and Release, the grant ID as value. */
export function expiryWarning(grant: GrantRecord, zone: string | undefined): SlackMessage {
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
