import type { ModalView } from '@slack/web-api';
import type { Policy } from '../../domain/policy.js';

export const REQUEST_MODAL = 'request_modal';
export const MODAL_BLOCKS = { kind: 'kind', resource: 'resource', duration: 'duration', reason: 'reason' } as const;
/** Values of the `kind` choice: ordinary access, or an opt-out exception from approval. */
export const MODAL_KINDS = { access: 'access', optout: 'optout' } as const;

const plain = (text: string) => ({ type: 'plain_text' as const, text });

/** What to fill the form in with: "Request again" after access ended. */
export interface RequestPrefill {
  resource: string;
  durationText: string;
  reason: string;
}

/** The form `/request` opens when given no text, or pre-filled to ask for the same access again. */
export function requestModal(policy: Policy, prefill?: RequestPrefill): ModalView {
  const options = Object.entries(policy.resources)
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(0, 100)
    .map(([name, r]) => ({ text: plain((r.description ? `${name} — ${r.description}` : name).slice(0, 75)), value: name }));
  const initialResource = options.find((o) => o.value === prefill?.resource);
  const anyOptOut = Object.values(policy.resources).some((r) => r.opt_out?.allowed);
  const access = { text: plain('Access, approved by the resource’s approvers'), value: MODAL_KINDS.access };
  const optout = { text: plain('Opt-out exception from approval, for a while'), value: MODAL_KINDS.optout };
  return {
    type: 'modal',
    callback_id: REQUEST_MODAL,
    title: plain('Request access'),
    submit: plain('Request'),
    close: plain('Cancel'),
    blocks: [
      ...(anyOptOut
        ? [
            {
              type: 'input' as const,
              block_id: MODAL_BLOCKS.kind,
              label: plain('What you ask for'),
              element: { type: 'radio_buttons' as const, action_id: 'value', options: [access, optout], initial_option: access },
            },
          ]
        : []),
      {
        type: 'input',
        block_id: MODAL_BLOCKS.resource,
        label: plain('Resource'),
        element: { type: 'static_select', action_id: 'value', options, ...(initialResource ? { initial_option: initialResource } : {}) },
      },
      {
        type: 'input',
        block_id: MODAL_BLOCKS.duration,
        label: plain('For how long'),
        hint: plain('Like 30m, 2h or 1h30m. Each resource has a maximum.'),
        element: { type: 'plain_text_input', action_id: 'value', placeholder: plain('e.g. 30m'), ...(prefill ? { initial_value: prefill.durationText } : {}) },
      },
      {
        type: 'input',
        block_id: MODAL_BLOCKS.reason,
        label: plain('Why you need it'),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 500, ...(prefill ? { initial_value: prefill.reason } : {}) },
      },
    ],
  };
}
