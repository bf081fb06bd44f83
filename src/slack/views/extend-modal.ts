import type { ModalView } from '@slack/web-api';
import { Duration } from 'luxon';
import { formatDuration } from '../../domain/duration.js';
import type { GrantRow } from '../../store/schema.js';
import { mrkdwn } from './approval-message.js';
import { slackTime } from './time.js';

export const EXTEND_MODAL = 'extend_modal';
export const EXTEND_BLOCK = 'by';

const plain = (text: string) => ({ type: 'plain_text' as const, text });

/** Extend: how much longer, among the choices the policy leaves; the grant ID travels in private_metadata. */
export function extendModal(grant: GrantRow, choicesMs: readonly number[]): ModalView {
  const options = choicesMs.map((ms) => ({ text: plain(formatDuration(Duration.fromMillis(ms))), value: String(ms) }));
  return {
    type: 'modal',
    callback_id: EXTEND_MODAL,
    private_metadata: grant.id,
    title: plain('Extend access'),
    submit: plain('Extend'),
    close: plain('Cancel'),
    blocks: [
      { type: 'section', text: mrkdwn(`*${grant.resource}* (\`${grant.id}\`) ends ${slackTime(grant.expiresAt, undefined)}.`) },
      { type: 'input', block_id: EXTEND_BLOCK, label: plain('Extend by'), element: { type: 'static_select', action_id: 'value', options, ...(options[0] ? { initial_option: options[0] } : {}) } },
    ],
  };
}

export function extendedView(grant: GrantRow): ModalView {
  return { type: 'modal', title: plain('Extend access'), close: plain('Close'), blocks: [{ type: 'section', text: mrkdwn(`✅ *${grant.resource}* now ends ${slackTime(grant.expiresAt, undefined)}.`) }] };
}
