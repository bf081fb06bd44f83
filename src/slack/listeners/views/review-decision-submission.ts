import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { SlackServices } from '../../services.js';
import { NOTE_BLOCK, reviewDecisionDone, reviewDecisionTarget } from '../../views/review-decision-modal.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Records keep / revoke with its note; a refusal is shown in the form, under the note. */
export function reviewDecisionSubmission(services: SlackServices) {
  return async ({ ack, view, body }: Args): Promise<void> => {
    let metadata: unknown;
    try {
      metadata = JSON.parse(view.private_metadata);
    } catch {
      metadata = undefined;
    }
    const target = reviewDecisionTarget.safeParse(metadata);
    if (!target.success) {
      await ack({ response_action: 'errors', errors: { [NOTE_BLOCK]: 'This form does not name a review item; close it and click Keep or Revoke again.' } });
      return;
    }
    const note = view.state.values[NOTE_BLOCK]?.['value']?.value?.trim() || null;
    const result = await services.reviews.decide({ ...target.data, actorId: body.user.id, note });
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: { [NOTE_BLOCK]: result.error } });
      return;
    }
    const { decision, revokeProblem } = result.value;
    await ack({ response_action: 'update', view: reviewDecisionDone(decision, revokeProblem) });
  };
}
