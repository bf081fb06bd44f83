import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { isExceptionId } from '../../../domain/opt-out-rules.js';
import type { SlackServices } from '../../services.js';
import { followUp } from '../reply-on-failure.js';
import { replyToClick } from '../reply.js';

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/**
 * `approve` and `deny`, on an approval message or in an approver's App Home queue; the value
 * is a request ID, or an exception ID for an opt-out.
 */
export function decisionAction(services: SlackServices, decision: 'approve' | 'deny') {
  return async (args: Args): Promise<void> => {
    const { ack, body, action } = args;
    await ack();
    const reply = replyToClick(args, services);
    followUp(services, reply, async () => {
      const id = action.value ?? '';
      const approverId = body.user.id;
      const result = isExceptionId(id)
        ? await services.optOut[decision]({ exceptionId: id, approverId })
        : await services.decisions[decision]({ requestId: id, approverId });
      if (result.kind === 'refused') await reply(result.message);
    });
  };
}
