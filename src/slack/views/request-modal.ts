import type { ModalView } from '@slack/web-api';
import type { Policy } from '../../config/policy-schema.js';

export const REQUEST_MODAL = 'request_modal';
export const MODAL_BLOCKS = { resource: 'resource', duration: 'duration', reason: 'reason' } as const;

/** The form `/request` opens when given no text. */
export function requestModal(policy: Policy): ModalView {
  const options = Object.entries(policy.resources)
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(0, 100)
    .map(([name, r]) => ({
      text: { type: 'plain_text' as const, text: (r.description ? `${name} — ${r.description}` : name).slice(0, 75) },
      value: name,
    }));
  return {
    type: 'modal',
    callback_id: REQUEST_MODAL,
    title: { type: 'plain_text', text: 'Request access' },
    submit: { type: 'plain_text', text: 'Request' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: MODAL_BLOCKS.resource,
        label: { type: 'plain_text', text: 'Resource' },
        element: { type: 'static_select', action_id: 'value', options },
      },
      {
        type: 'input',
        block_id: MODAL_BLOCKS.duration,
        label: { type: 'plain_text', text: 'For how long' },
        hint: { type: 'plain_text', text: 'Like 30m, 2h or 1h30m. Each resource has a maximum.' },
        element: { type: 'plain_text_input', action_id: 'value', placeholder: { type: 'plain_text', text: 'e.g. 30m' } },
      },
      {
        type: 'input',
        block_id: MODAL_BLOCKS.reason,
        label: { type: 'plain_text', text: 'Why you need it' },
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 500 },
      },
    ],
  };
}

