import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { SlackServices } from '../../services.js';
import { ownAccess } from '../../own-access.js';
import { homeView } from '../../views/home.js';

type Args = SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs;

/** The App Home tab: the viewer's pending requests, active access and exceptions. */
export function appHomeOpened(services: SlackServices) {
  return async ({ event, client }: Args): Promise<void> => {
    if (event.tab !== 'home') return;
    const profile = await services.directory.userProfile(event.user).catch(() => undefined);
    const zone = profile?.tz ?? services.policy().policy.settings.timezone;
    await client.views.publish({ user_id: event.user, view: homeView(ownAccess(services, event.user), zone) });
  };
}
