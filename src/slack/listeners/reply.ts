import type { BlockButtonAction, RespondFn } from '@slack/bolt';
import type { SlackServices } from '../services.js';

/** Answers the person who clicked or typed, visible only to them. */
export type Reply = (text: string, opts?: { replaceOriginal?: boolean }) => Promise<void>;

/** An ephemeral reply through the response_url of a command or a click on a message. */
export function ephemeralReply(respond: RespondFn): Reply {
  return (text, opts = {}) => respond({ response_type: 'ephemeral', replace_original: opts.replaceOriginal ?? false, text }).then(() => undefined);
}

/**
 * Where the answer to a click goes. A click in App Home comes without a response_url, so
 * the home is redrawn with the answer at its top instead.
 */
export function replyToClick(args: { body: BlockButtonAction; respond: RespondFn }, services: Pick<SlackServices, 'homeTab'>): Reply {
  const fromHome = args.body.view?.type === 'home' || !args.body.response_url;
  return fromHome ? (text) => services.homeTab.publish(args.body.user.id, text) : ephemeralReply(args.respond);
}
