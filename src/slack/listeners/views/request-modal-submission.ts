import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { checkOptOutAsk } from '../../../domain/opt-out-rules.js';
import type { SlackServices } from '../../services.js';
import { replies } from '../../views/replies.js';
import { MODAL_BLOCKS, MODAL_KINDS } from '../../views/request-modal.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** The request form: shape errors are shown in the form; the outcome arrives as a DM. */
export function requestModalSubmission(services: SlackServices) {
  return async ({ ack, view, body, client }: Args): Promise<void> => {
    const values = view.state.values;
    const optout = values[MODAL_BLOCKS.kind]?.['value']?.selected_option?.value === MODAL_KINDS.optout;
    const ask = {
      resource: values[MODAL_BLOCKS.resource]?.['value']?.selected_option?.value ?? '',
      durationText: values[MODAL_BLOCKS.duration]?.['value']?.value?.trim() || undefined,
      reason: values[MODAL_BLOCKS.reason]?.['value']?.value ?? '',
    };
    const userId = body.user.id;
    const checked = optout ? checkOptOutAsk(services.policy().policy, ask) : services.accessRequests.checkForm({ userId, ...ask });
    if (!checked.ok) {
      const block = { resource: MODAL_BLOCKS.resource, durationText: MODAL_BLOCKS.duration, reason: MODAL_BLOCKS.reason }[checked.error.field];
      await ack({ response_action: 'errors', errors: { [block]: checked.error.message } });
      return;
    }
    await ack();
    let text: string;
    if (optout) {
      const result = await services.optOut.requestException({ userId, ...ask });
      text = result.ok ? replies.exceptionRequested(result.value.exception, result.value.posted) : replies.refused(result.error);
    } else {
      const result = await services.accessRequests.requestAccess({ userId, ...ask });
      text = result.ok ? replies.accessAnswer(result.value, services.policy().policy) : replies.refused(result.error);
    }
    await client.chat.postMessage({ channel: userId, text });
  };
}
