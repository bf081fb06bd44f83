import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parseRequestCommand, type RequestCommand } from '../../../domain/request-command.js';
import { isExceptionId } from '../../../domain/opt-out-rules.js';
import type { SlackServices } from '../../services.js';
import { replies } from '../../views/replies.js';
import { readerZone } from '../../reader-zone.js';
import { requestModal } from '../../views/request-modal.js';
import { followUp } from '../reply-on-failure.js';
import { ephemeralReply } from '../reply.js';

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/** The answer to every `/request` form except the modal; always a short ephemeral text. */
async function answer(services: SlackServices, command: Exclude<RequestCommand, { kind: 'modal' }>, userId: string, typed: string): Promise<string> {
  const { policy } = services.policy();
  switch (command.kind) {
    case 'access': {
      const ask = { userId, resource: command.resource, durationText: command.durationText, reason: command.reason };
      if (command.emergency) {
        const result = await services.breakGlass.breakGlass(ask);
        return result.ok ? replies.breakGlassGranted(result.value) : replies.refused(result.error);
      }
      const result = await services.accessRequests.requestAccess({ ...ask, startText: command.startText, typed });
      return result.ok ? replies.accessAnswer(result.value, policy) : replies.refused(result.error);
    }
    case 'optout': {
      const result = await services.optOut.requestException({ userId, ...command });
      return result.ok ? replies.exceptionRequested(result.value.exception, result.value.posted) : replies.refused(result.error);
    }
    case 'list': {
      return replies.list(await services.home.own(userId), await readerZone(services.directory, policy, userId));
    }
    case 'cancel': {
      const result = await services.accessRequests.cancel({ userId, requestId: command.requestId });
      return result.ok ? replies.cancelled(result.value) : replies.refused(result.error);
    }
    case 'release': {
      const result = await services.endAccess.release({ userId, target: command.target });
      return result.ok ? replies.released(result.value) : replies.refused(result.error);
    }
    case 'revoke': {
      if (isExceptionId(command.target)) {
        const result = await services.optOut.revoke({ actorId: userId, exceptionId: command.target.toLowerCase() });
        return result.ok ? replies.exceptionRevoked(result.value) : replies.refused(result.error);
      }
      const result = await services.endAccess.revoke({ actorId: userId, target: command.target });
      return result.ok ? replies.revoked(result.value) : replies.refused(result.error);
    }
    case 'review': {
      const result = await services.reviews.requestReview({ userId });
      return result.ok ? replies.reviewPosted(result.value) : replies.refused(result.error);
    }
    case 'revoke-all': {
      const result = await services.revokeAll.revokeAll({ actorId: userId, scope: command.scope, reason: command.reason, checkedBy: 'security' });
      return result.ok ? replies.revokedAll(command.scope, result.value) : replies.refused(result.error);
    }
    case 'help':
      return replies.help(policy);
    case 'invalid':
      return replies.refused(command.message);
  }
}

export function requestCommand(services: SlackServices) {
  return async ({ command, ack, respond, client }: Args): Promise<void> => {
    const parsed = parseRequestCommand(command.text);
    if (parsed.kind === 'modal') {
      await ack();
      // trigger_id expires 3 s after the click: open the modal before anything else.
      await client.views.open({ trigger_id: command.trigger_id, view: requestModal(services.policy().policy) });
      return;
    }
    if (parsed.kind === 'invalid' || parsed.kind === 'help') {
      await ack({ response_type: 'ephemeral', text: await answer(services, parsed, command.user_id, command.text) });
      return;
    }
    await ack();
    const reply = ephemeralReply(respond);
    followUp(services, reply, async () => {
      await reply(await answer(services, parsed, command.user_id, command.text));
    });
  };
}
