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

/**
 * The Bolt app. In HTTP mode its receiver is mounted on our own server (`requestListener`),
 * so /slack/events, /healthz and the rest share one port; in Socket Mode it dials out. Either
 * way a delivery seen before is dropped (see replay-guard.ts).
 */
export function createSlackApp(options: SlackAppOptions, services: SlackServices, pino: Pino) {
  const logger = slackLogger(pino, 'bolt');
  const clientOptions = webClientOptions(options.apiUrl, options.apiRetries, logger);
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (options.appToken) {
    // Built here so the Socket Mode connection (apps.connections.open) also uses SLACK_API_URL.
    const socketReceiver = new SocketModeReceiver({ appToken: options.appToken, logger, installerOptions: { clientOptions } });
    app = new App({ token: options.botToken, receiver: socketReceiver, logger, clientOptions, tokenVerificationEnabled: false });
  } else {
    receiver = new HTTPReceiver({ signingSecret: options.signingSecret ?? '', endpoints: '/slack/events', logger, customPropertiesExtractor: signatureOf });
    app = new App({ token: options.botToken, receiver, logger, clientOptions, tokenVerificationEnabled: false });
  }
  app.error(async (error) => {
    pino.error({ err: error.original ?? error, code: error.code }, 'Slack listener failed');
  });
  // Before any listener: a replayed or redelivered request is acked and changes nothing.
  app.use(dropRepeatedDeliveries(services.deliveries, pino));
  registerListeners(app, services);
  const httpListener = receiver && screenSlackRequests(receiver.requestListener, { signingSecret: options.signingSecret ?? '', deliveries: services.deliveries, log: pino });
  return { app, httpListener };
}
