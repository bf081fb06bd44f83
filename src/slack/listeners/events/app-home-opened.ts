import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackServices } from '../../services.js';

type Args = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;

/** The App Home tab opened: drawn now, and redrawn from now on whenever something in it changes. */
export function appHomeOpened(services: SlackServices) {
  return async ({ event }: Args): Promise<void> => {
    if (event.tab !== 'home') return;
    await services.home.opened(event.user);
    await services.homeTab.publish(event.user);
  };
}
