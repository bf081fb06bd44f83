import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { isExceptionId } from '../../../domain/opt-out-rules.js';
import type { SlackServices } from '../../services.js';
import { replyOnFailure } from '../reply-on-failure.js';

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/** `approve` and `deny`; the value is a request ID, or an exception ID on an opt-out approval message. */
export function decisionAction(services: SlackServices, decision: 'approve' | 'deny') {
  return async ({ ack, body, action, respond }: Args): Promise<void> => {
    await ack();
    await replyOnFailure(respond, services.log, async () => {
      const id = action.value ?? '';
      const approverId = body.user.id;
      const result = isExceptionId(id)
        ? await services.optOut[decision]({ exceptionId: id, approverId })
        : await services.decisions[decision]({ requestId: id, approverId });
      if (result.kind === 'refused') {
        await respond({ response_type: 'ephemeral', replace_original: false, text: result.message });
      }
    });
  };
}
