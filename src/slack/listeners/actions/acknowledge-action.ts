import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SlackServices } from '../../services.js';
import { followUp } from '../reply-on-failure.js';
import { replyToClick } from '../reply.js';

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/** `acknowledge` on a break-glass alert; the value is the grant ID. */
export function acknowledgeAction(services: SlackServices) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const reply = replyToClick(args, services);
    followUp(services, reply, async () => {
      const result = await services.breakGlass.acknowledge({ grantId: args.action.value ?? '', actorId: args.body.user.id });
      if (!result.ok) await reply(result.error);
    });
  };
}
