import type { KnownBlock } from '@slack/web-api';
import { Duration } from 'luxon';
import { formatDuration } from '../../domain/duration.js';
import type { BreakGlassExtension } from '../../services/ports.js';
import type { BreakGlassRecord, GrantRecord } from '../../domain/records.js';
import { mrkdwn, type SlackMessage } from './approval-message.js';
import { slackTime } from './time.js';
import { quotedField, typedText } from './typed-text.js';

function summary(use: BreakGlassRecord, expiresAt: number): KnownBlock[] {
  return [
    { type: 'header', text: { type: 'plain_text', text: '🚨 Break-glass access' } },
    {
      type: 'section',
      text: mrkdwn(`*<@${use.userId}>* broke the glass and has access to *${use.resource}* now, without approval.`),
      fields: [
        mrkdwn(`*Until*\n${slackTime(expiresAt, undefined)}`),
        mrkdwn(`*Grant*\n\`${use.grantId}\``),
        mrkdwn(quotedField('Reason', use.reason)),
      ],
    },
  ];
}

const acknowledgeButton = (use: BreakGlassRecord): KnownBlock => ({
  type: 'actions',
  block_id: 'break_glass',
  elements: [{ type: 'button', action_id: 'acknowledge', style: 'primary', text: { type: 'plain_text', text: 'Acknowledge' }, value: use.grantId }],
});

/** Loud alerts about break-glass use, in the security channel and the resource's channel. */
export const breakGlassMessages = {
  alert(use: BreakGlassRecord, grant: Pick<GrantRecord, 'expiresAt' | 'grantedAt'>): SlackMessage {
    const length = formatDuration(Duration.fromMillis(grant.expiresAt - grant.grantedAt));
    return {
      text: `🚨 Break-glass: <@${use.userId}> has access to ${use.resource} for ${length} without approval: ${typedText(use.reason)}`,
      blocks: [...summary(use, grant.expiresAt), { type: 'context', elements: [mrkdwn(`Security: acknowledge once you have looked. Unacknowledged, this is posted again after an hour and stays on every review.`)] }, acknowledgeButton(use)],
    };
  },

  acknowledged(use: BreakGlassRecord, expiresAt: number): SlackMessage {
    return {
      text: `Break-glass use by <@${use.userId}> on ${use.resource} acknowledged by <@${use.acknowledgedBy ?? ''}>`,
      blocks: [...summary(use, expiresAt), { type: 'context', elements: [mrkdwn(`✅ Acknowledged by <@${use.acknowledgedBy ?? ''}> · ${slackTime(use.acknowledgedAt ?? 0, undefined)}`)] }],
    };
  },

  reminder(use: BreakGlassRecord, expiresAt: number): SlackMessage {
    return {
      text: `⏰ Still unacknowledged after an hour: break-glass use by <@${use.userId}> on ${use.resource}`,
      blocks: [...summary(use, expiresAt), { type: 'context', elements: [mrkdwn(`⏰ *Still unacknowledged* since ${slackTime(use.createdAt, undefined)}.`)] }, acknowledgeButton(use)],
    };
  },

  extended(use: BreakGlassRecord, grant: Pick<GrantRecord, 'expiresAt'>, how: BreakGlassExtension): string {
    const words = (ms: number) => formatDuration(Duration.fromMillis(ms));
    const way = how.kind === 'at_once' ? `at once within break-glass's ${words(how.withinMs)}` : `approved by <@${how.by}> (\`${how.requestId}\`)`;
    return `🚨 Break-glass access extended: <@${use.userId}> on ${use.resource}, ${words(how.byMs)} longer (grant \`${use.grantId}\`), ${way}; it now ends ${slackTime(grant.expiresAt, undefined)}. Reason given: ${use.reason}`;
  },

  securityDm: (use: BreakGlassRecord, where: string | undefined): string =>
    `⏰ A break-glass use is still unacknowledged after an hour: <@${use.userId}> on *${use.resource}* (grant \`${use.grantId}\`, reason: ${typedText(use.reason)}).${where ? ` Acknowledge it in <#${where}>.` : ''}`,
};
