import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { Duration } from 'luxon';
import { compactDuration } from '../../../domain/duration.js';
import type { SlackServices } from '../../services.js';
import { replies } from '../../views/replies.js';
import { extendModal } from '../../views/extend-modal.js';
import { requestModal } from '../../views/request-modal.js';
import { replyOnFailure } from '../reply-on-failure.js';

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/** `extend` on the expiry warning: the choices the policy leaves, in a form (the trigger lasts 3 s). */
export function extendAction(services: SlackServices) {
  return async ({ ack, body, action, respond, client }: Args): Promise<void> => {
    await ack();
    await replyOnFailure(respond, services.log, async () => {
      const choices = services.extension.choices({ userId: body.user.id, grantId: action.value ?? '' });
      if (!choices.ok) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: choices.error });
        return;
      }
      await client.views.open({ trigger_id: body.trigger_id, view: extendModal(choices.value.grant, choices.value.choicesMs) });
    });
  };
}

/** `release` on the expiry warning: ends the holder's own access now. */
export function releaseAction(services: SlackServices) {
  return async ({ ack, body, action, respond }: Args): Promise<void> => {
    await ack();
    await replyOnFailure(respond, services.log, async () => {
      const result = await services.endAccess.release({ userId: body.user.id, target: action.value ?? '' });
      await respond({ response_type: 'ephemeral', replace_original: result.ok, text: result.ok ? replies.released(result.value) : result.error });
    });
  };
}

/** `request_again` on the "access ended" DM: the request form, filled in as last time. */
export function requestAgainAction(services: SlackServices) {
  return async ({ ack, body, action, respond, client }: Args): Promise<void> => {
    await ack();
    await replyOnFailure(respond, services.log, async () => {
      const before = services.endAccess.askedBefore({ userId: body.user.id, grantId: action.value ?? '' });
      if (!before.ok) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: before.error });
        return;
      }
      const { resource, durationMs, reason } = before.value;
      const prefill = { resource, durationText: compactDuration(Duration.fromMillis(durationMs)), reason };
      await client.views.open({ trigger_id: body.trigger_id, view: requestModal(services.policy().policy, prefill) });
    });
  };
}
