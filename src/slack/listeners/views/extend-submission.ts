import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { SlackServices } from '../../services.js';
import { EXTEND_BLOCK, extendedView } from '../../views/extend-modal.js';

type Args = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** The Extend form: applied at once within policy, sent to the approvers beyond it, or the reason shown in the form. */
export function extendSubmission(services: SlackServices) {
  return async ({ ack, view, body }: Args): Promise<void> => {
    const byMs = Number(view.state.values[EXTEND_BLOCK]?.['value']?.selected_option?.value ?? NaN);
    const result = await services.extension.extend({ userId: body.user.id, grantId: view.private_metadata, byMs });
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: { [EXTEND_BLOCK]: result.error } });
      return;
    }
    await ack({ response_action: 'update', view: extendedView(result.value) });
  };
}
