import { signedPost, slashCommandBody } from '../test/support/slack-requests.js';
import type { StoreKind } from './support/bench-database.js';
import { SIGNING_SECRET, startEnvironment } from './support/environment.js';
import { APPROVER, seedPendingAndViewers, userId } from './support/seed.js';

export interface AppHomeResult {
  pending: number;
  viewers: number;
  /** From app_home_opened to the approver's home published, its queue full. */
  openMs: number;
  /** From a new /request to the approver's home redrawn with it. */
  redrawMs: number;
  /** Homes published for that one new request (the requester's and the approvers' only). */
  publishes: number;
}

/**
 * App Home for a busy approver: `pending` requests waiting on them, and `viewers` people who
 * use App Home. Opening draws the queue; a new request redraws only the homes it concerns.
 */
export async function appHomeBenchmark(options: { store: StoreKind; pending: number; viewers: number; log: (line: string) => void }): Promise<AppHomeResult> {
  const env = await startEnvironment({ store: options.store });
  try {
    const viewers = [APPROVER, ...Array.from({ length: options.viewers - 1 }, (_, i) => userId(i))];
    await seedPendingAndViewers(env.database, options.pending, viewers);
    options.log(`seeded ${options.pending} pending requests on prod-db and ${viewers.length} App Home viewers`);
    const bot = await env.startBot();
    try {
      const opened = performance.now();
      const event = { type: 'app_home_opened', user: APPROVER, channel: `D${APPROVER}`, tab: 'home', event_ts: String(Date.now() / 1000) };
      const body = JSON.stringify({ type: 'event_callback', team_id: 'T0TEAM', api_app_id: 'A0JITBOT', event, event_id: 'Ev1', event_time: Math.floor(Date.now() / 1000) });
      await signedPost(bot.eventsUrl, SIGNING_SECRET, body, 'application/json');
      const home = await env.slack.waitForCall('views.publish', (c) => c.args['user_id'] === APPROVER, 30_000);
      const openMs = performance.now() - opened;
      options.log(`opened: ${/Waiting on you \((\d+)\)/.exec(JSON.stringify(home.args['view']))?.[1] ?? '0'} waiting on ${APPROVER}`);

      const before = env.slack.callsTo('views.publish').length;
      const asked = performance.now();
      const ask = slashCommandBody({ text: 'prod-db 30m one more INC-9999', userId: 'U0ALICE', responseUrl: env.slack.responseUrl('ask') });
      await signedPost(bot.eventsUrl, SIGNING_SECRET, ask, 'application/x-www-form-urlencoded');
      const counted = `Waiting on you (${options.pending + 1})`;
      await env.slack.waitForCall('views.publish', (c) => c.args['user_id'] === APPROVER && JSON.stringify(c.args['view']).includes(counted), 30_000);
      const redrawMs = performance.now() - asked;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return { pending: options.pending, viewers: viewers.length, openMs, redrawMs, publishes: env.slack.callsTo('views.publish').length - before };
    } finally {
      await bot.stop();
    }
  } finally {
    await env.close();
  }
}
