import type { ModalView } from '@slack/web-api';
import { Duration } from 'luxon';
import { formatDuration } from '../../domain/duration.js';
import type { ExtensionChoices, ExtensionOutcome } from '../../services/extension.js';
import { mrkdwn } from './approval-message.js';
import { slackTime } from './time.js';

export const EXTEND_MODAL = 'extend_modal';
export const EXTEND_BLOCK = 'by';

const plain = (text: string) => ({ type: 'plain_text' as const, text });

/**
 * Extend: how much longer. Choices within policy apply at once; longer ones are marked as
 * going to the approvers. The grant ID travels in private_metadata.
 */
export function extendModal({ grant, choicesMs, approvalChoicesMs, breakGlassMaxMs }: ExtensionChoices): ModalView {
  const words = (ms: number) => formatDuration(Duration.fromMillis(ms));
  const options = [
    ...choicesMs.map((ms) => ({ text: plain(words(ms)), value: String(ms) })),
    ...approvalChoicesMs.map((ms) => ({ text: plain(`${words(ms)} (approvers decide)`), value: String(ms) })),
  ];
  const beyond = approvalChoicesMs.length > 0 ? ' Choices marked "approvers decide" go beyond what the policy allows at once: they are sent to the approvers like a request.' : '';
  const emergency = breakGlassMaxMs === undefined ? '' : ` Break-glass access extends at once only within its ${words(breakGlassMaxMs)} in all, and security is told of every extension.`;
  return {
    type: 'modal',
    callback_id: EXTEND_MODAL,
    private_metadata: grant.id,
    title: plain('Extend access'),
    submit: plain('Extend'),
    close: plain('Cancel'),
    blocks: [
      { type: 'section', text: mrkdwn(`*${grant.resource}* (\`${grant.id}\`) ends ${slackTime(grant.expiresAt, undefined)}.${emergency}${beyond}`) },
      { type: 'input', block_id: EXTEND_BLOCK, label: plain('Extend by'), element: { type: 'static_select', action_id: 'value', options, ...(options[0] ? { initial_option: options[0] } : {}) } },
    ],
  };
}

/** The form once submitted: extended, or sent to the approvers. */
export function extendedView(outcome: ExtensionOutcome): ModalView {
  const text =
    outcome.kind === 'extended'
      ? `✅ *${outcome.grant.resource}* now ends ${slackTime(outcome.grant.expiresAt, undefined)}.`
      : outcome.posted
        ? `📨 Asked the approvers of *${outcome.request.resource}* to extend your access by ${formatDuration(Duration.fromMillis(outcome.request.durationMs))} (\`${outcome.request.id}\`). You will get a DM when they decide; until then your access ends as before.`
        : `📨 Recorded your request to extend *${outcome.request.resource}* (\`${outcome.request.id}\`), but Slack refused the message to the approvers; jitbot retries it shortly.`;
  return { type: 'modal', title: plain('Extend access'), close: plain('Close'), blocks: [{ type: 'section', text: mrkdwn(text) }] };
}
