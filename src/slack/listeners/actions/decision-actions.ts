import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackServices } from '../../services.js';
import { replyOnFailure } from '../reply-on-failure.js';

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/** `approve` and `deny` on an approval message; the value is the request ID. */
export function decisionAction(services: SlackServices, decision: 'approve' | 'deny') {
  return async ({ ack, body, action, respond }: Args): Promise<void> => {
    await ack();
    await replyOnFailure(respond, services.log, async () => {
      const input = { requestId: action.value ?? '', approverId: body.user.id };
      const result = decision === 'approve' ? await services.decisions.approve(input) : await services.decisions.deny(input);
      if (result.kind === 'refused') {
        await respond({ response_type: 'ephemeral', replace_original: false, text: result.message });
      }
    });
  };
}
