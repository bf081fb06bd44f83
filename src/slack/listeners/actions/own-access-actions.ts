import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { Duration } from 'luxon';
import { compactDuration } from '../../../domain/duration.js';
import type { SlackServices } from '../../services.js';
import { replies } from '../../views/replies.js';
import { extendModal } from '../../views/extend-modal.js';
import { requestModal } from '../../views/request-modal.js';
import { followUp, replyOnFailure } from '../reply-on-failure.js';
import { replyToClick } from '../reply.js';

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/** `extend` on the expiry warning or in App Home: the choices the policy leaves, in a form (the trigger lasts 3 s). */
export function extendAction(services: SlackServices) {
  return async (args: Args): Promise<void> => {
    const { ack, body, action, client } = args;
    await ack();
    const reply = replyToClick(args, services);
    await replyOnFailure(reply, services.log, async () => {
      const choices = await services.extension.choices({ userId: body.user.id, grantId: action.value ?? '' });
      if (!choices.ok) {
        await reply(choices.error);
        return;
      }
      await client.views.open({ trigger_id: body.trigger_id, view: extendModal(choices.value) });
    });
  };
}

/** `release` on the expiry warning or in App Home: ends the holder's own access now. */
export function releaseAction(services: SlackServices) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const reply = replyToClick(args, services);
    followUp(services, reply, async () => {
      const result = await services.endAccess.release({ userId: args.body.user.id, target: args.action.value ?? '' });
      await reply(result.ok ? replies.released(result.value) : result.error, { replaceOriginal: result.ok });
    });
  };
}

/** `cancel` on a pending request in App Home: withdraws it, like `/request cancel`. */
export function cancelAction(services: SlackServices) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const reply = replyToClick(args, services);
    followUp(services, reply, async () => {
      const result = await services.accessRequests.cancel({ userId: args.body.user.id, requestId: args.action.value ?? '' });
      await reply(result.ok ? replies.cancelled(result.value) : result.error);
    });
  };
}

/** `request_again` on the "access ended" DM: the request form, filled in as last time. */
export function requestAgainAction(services: SlackServices) {
  return async (args: Args): Promise<void> => {
    const { ack, body, action, client } = args;
    await ack();
    const reply = replyToClick(args, services);
    await replyOnFailure(reply, services.log, async () => {
      const before = await services.endAccess.askedBefore({ userId: body.user.id, grantId: action.value ?? '' });
      if (!before.ok) {
        await reply(before.error);
        return;
      }
      const { resource, durationMs, reason } = before.value;
      const prefill = { resource, durationText: compactDuration(Duration.fromMillis(durationMs)), reason };
      await client.views.open({ trigger_id: body.trigger_id, view: requestModal(services.policy().policy, prefill) });
    });
  };
}
