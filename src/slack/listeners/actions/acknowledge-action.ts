import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackServices } from '../../services.js';
import { replyOnFailure } from '../reply-on-failure.js';

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/** `acknowledge` on a break-glass alert; the value is the grant ID. */
export function acknowledgeAction(services: SlackServices) {
  return async ({ ack, body, action, respond }: Args): Promise<void> => {
    await ack();
    await replyOnFailure(respond, services.log, async () => {
      const result = await services.breakGlass.acknowledge({ grantId: action.value ?? '', actorId: body.user.id });
      if (!result.ok) await respond({ response_type: 'ephemeral', replace_original: false, text: result.error });
    });
  };
}
