import type { KnownBlock } from '@slack/web-api';
import { Duration } from 'luxon';
import { formatDuration } from '../../domain/duration.js';
import type { ExceptionOutcome } from '../../services/ports.js';
import type { ExceptionRecord, GrantRecord, RequestRecord } from '../../domain/records.js';
import { mrkdwn, OUTCOME_WORDS, type SlackMessage } from './approval-message.js';
import { slackTime } from './time.js';
import { quotedField, typedText } from './typed-text.js';

const windowOf = (exception: ExceptionRecord) => formatDuration(Duration.fromMillis(exception.durationMs));

const MODE_WORDS: Record<ExceptionRecord['mode'], string> = {
  auto_approve: 'their requests for it are granted without approval',
  standing: 'they hold standing access for the whole window',
};

function summary(exception: ExceptionRecord, description: string): KnownBlock[] {
  return [
    {
      type: 'section',
      text: mrkdwn(
        `⚠️ *Exception from JIT*: <@${exception.userId}> asks to opt out of approval for *${exception.resource}*${description ? ` — ${description}` : ''}. ` +
          `While it is open, ${MODE_WORDS[exception.mode]}.`,
      ),
      fields: [
        mrkdwn(`*For how long*\n${windowOf(exception)}, from approval`),
        mrkdwn(`*Exception*\n\`${exception.id}\``),
        mrkdwn(quotedField('Reason', exception.reason)),
      ],
    },
  ];
}

/** The message opt-out approvers see (security channel, else the resource's), with Approve / Deny. */
export function exceptionApprovalMessage(exception: ExceptionRecord, description: string): SlackMessage {
  return {
    text: `Exception from JIT: <@${exception.userId}> asks to opt out of approval for ${exception.resource} for ${windowOf(exception)}: ${typedText(exception.reason)}`,
    blocks: [
      ...summary(exception, description),
      {
        type: 'actions',
        block_id: 'decision',
        elements: [
          { type: 'button', action_id: 'approve', style: 'primary', text: { type: 'plain_text', text: 'Approve exception' }, value: exception.id },
          { type: 'button', action_id: 'deny', style: 'danger', text: { type: 'plain_text', text: 'Deny' }, value: exception.id },
        ],
      },
    ],
  };
}

/** The same message once decided: no buttons; the outcome, who, when and (if approved) until when. */
export function closedExceptionApprovalMessage(exception: ExceptionRecord, outcome: ExceptionOutcome): SlackMessage {
  const until = outcome.kind === 'approved' && exception.endsAt !== null ? `, open until ${slackTime(exception.endsAt, 'utc')}` : '';
  const line = `${OUTCOME_WORDS[outcome.kind]} by <@${outcome.by}> · ${slackTime(outcome.at.toMillis(), 'utc')}${until}`;
  return {
    text: `Exception ${exception.id} for ${exception.resource}: ${outcome.kind}`,
    blocks: [...summary(exception, ''), { type: 'context', elements: [mrkdwn(line)] }],
  };
}

/** Channel notes about exceptions: informational, never with buttons. */
export const exceptionNotes = {
  requested: (exception: ExceptionRecord, approvalChannel: string | undefined) =>
    `ℹ️ <@${exception.userId}> asked for an *exception from JIT* on *${exception.resource}* for ${windowOf(exception)} (\`${exception.id}\`): ${typedText(exception.reason)}.` +
    (approvalChannel ? ` Opt-out approvers decide in <#${approvalChannel}>.` : ''),

  grantedUnder: (request: RequestRecord, grant: GrantRecord, exception: ExceptionRecord) =>
    `ℹ️ <@${request.requesterId}> was granted *${request.resource}* for ${formatDuration(Duration.fromMillis(request.durationMs))} without approval, ` +
    `under opt-out exception \`${exception.id}\`${exception.decidedBy ? ` (approved by <@${exception.decidedBy}>)` : ''}. ` +
    `Request \`${request.id}\`, grant \`${grant.id}\` — reason: ${typedText(request.reason)}`,

  closed: (exception: ExceptionRecord) => {
    const how = exception.closeReason === 'revoked' ? `revoked${exception.closedBy ? ` by <@${exception.closedBy}>` : ''}` : 'its window ended';
    return `🔒 Exception \`${exception.id}\` (<@${exception.userId}> on *${exception.resource}*) has closed: ${how}. Their requests need approval again.`;
  },
};
