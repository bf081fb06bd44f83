import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { checkAccessAsk } from '../../../domain/access-rules.js';
import type { SlackServices } from '../../services.js';
import { replies } from '../../views/replies.js';
import { MODAL_BLOCKS } from '../../views/request-modal.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** The request form: shape errors are shown in the form; the outcome arrives as a DM. */
export function requestModalSubmission(services: SlackServices) {
  return async ({ ack, view, body, client }: Args): Promise<void> => {
    const values = view.state.values;
    const ask = {
      resource: values[MODAL_BLOCKS.resource]?.['value']?.selected_option?.value ?? '',
      durationText: values[MODAL_BLOCKS.duration]?.['value']?.value?.trim() || undefined,
      reason: values[MODAL_BLOCKS.reason]?.['value']?.value ?? '',
    };
    const checked = checkAccessAsk(services.policy().policy, ask);
    if (!checked.ok) {
      const block = ask.reason.trim() === '' || /reason/i.test(checked.error) ? MODAL_BLOCKS.reason : MODAL_BLOCKS.duration;
      await ack({ response_action: 'errors', errors: { [ask.resource ? block : MODAL_BLOCKS.resource]: checked.error } });
      return;
    }
    await ack();
    const userId = body.user.id;
    const result = await services.accessRequests.requestAccess({ userId, emergency: false, ...ask });
    const channel = services.policy().policy.resources[ask.resource]?.channel ?? '';
    const text = result.ok ? replies.requested(result.value.request, channel, result.value.posted) : result.error;
    await client.chat.postMessage({ channel: userId, text });
  };
}
