import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Logger as Pino } from 'pino';
import { slackLogger } from './slack-logger.js';
import { registerListeners } from './listeners/index.js';
import { dropRepeatedDeliveries, signatureOf } from './replay-guard.js';
import { screenSlackRequests } from './request-screen.js';
import type { SlackServices } from './services.js';
import { webClientOptions } from './web-client.js';

export interface SlackAppOptions {
  botToken: string;
  apiUrl: string;
  /** HTTP mode: requests are verified with this secret. */
  signingSecret: string | undefined;
  /** Socket Mode when set. */
  appToken: string | undefined;
  /** How often the Web API client retries a failed call (429s honour Retry-After). */
  apiRetries: number;
}

/** Who the bot is in Slack, as the start-up `auth.test` answered. */
export interface BotIdentity {
  botId: string;
  botUserId: string;
}

export class NotStartedError extends Error {
  override readonly name = 'NotStartedError';
}

/**
 * The Bolt app. In HTTP mode its receiver is mounted on our own server (`requestListener`),
 * so /slack/events, /healthz and the rest share one port; in Socket Mode it dials out. Either
 * way a delivery seen before is dropped (see replay-guard.ts).
 */
export function createSlackApp(options: SlackAppOptions, services: SlackServices, pino: Pino) {
  const logger = slackLogger(pino, 'bolt');
  const clientOptions = webClientOptions(options.apiUrl, options.apiRetries, logger);
  // Told once, at start-up. Left to itself, Bolt asks Slack (auth.test) before every command,
  // click and event it receives, so each ack would wait on a Slack round trip.
  let identity: BotIdentity | undefined;
  const authorize = async () => {
    if (!identity) throw new NotStartedError('a Slack request arrived before start-up checked the bot token');
    return { botToken: options.botToken, ...identity };
  };
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (options.appToken) {
    // Built here so the Socket Mode connection (apps.connections.open) also uses SLACK_API_URL.
    const socketReceiver = new SocketModeReceiver({ appToken: options.appToken, logger, installerOptions: { clientOptions } });
    app = new App({ authorize, receiver: socketReceiver, logger, clientOptions });
  } else {
    receiver = new HTTPReceiver({ signingSecret: options.signingSecret ?? '', endpoints: '/slack/events', logger, customPropertiesExtractor: signatureOf });
    app = new App({ authorize, receiver, logger, clientOptions });
  }
  app.error(async (error) => {
    pino.error({ err: error.original ?? error, code: error.code }, 'Slack listener failed');
  });
  // Before any listener: a replayed or redelivered request is acked and changes nothing.
  app.use(dropRepeatedDeliveries(services.deliveries, pino));
  registerListeners(app, services);
  const httpListener = receiver && screenSlackRequests(receiver.requestListener, { signingSecret: options.signingSecret ?? '', deliveries: services.deliveries, log: pino });
  return {
    app,
    httpListener,
    /** The bot's identity from the start-up `auth.test`, before the first request is let in. */
    identify(known: BotIdentity): void {
      identity = known;
    },
  };
}
