import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ReviewDecision } from '../../../domain/states.js';
import type { SlackServices } from '../../services.js';
import { reviewDecisionModal } from '../../views/review-decision-modal.js';
import { reviewIdOfBlock } from '../../views/review-message.js';
import { replyOnFailure } from '../reply-on-failure.js';
import { replyToClick } from '../reply.js';

type Args = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/**
 * `keep` and `revoke` on a review item: opens the note form at once (the trigger_id lasts
 * 3 s); rights are checked and the decision recorded when the form is submitted.
 */
export function reviewAction(services: SlackServices, decision: ReviewDecision) {
  return async (args: Args): Promise<void> => {
    const { ack, body, action, client } = args;
    await ack();
    const reply = replyToClick(args, services);
    await replyOnFailure(reply, services.log, async () => {
      const reviewId = reviewIdOfBlock(action.block_id);
      if (reviewId === undefined || !action.value) {
        await reply('This button does not belong to a security review; nothing changed.');
        return;
      }
      await client.views.open({ trigger_id: body.trigger_id, view: reviewDecisionModal({ reviewId, subjectId: action.value, decision }) });
    });
  };
}
