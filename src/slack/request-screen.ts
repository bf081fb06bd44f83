import type { RequestListener } from 'node:http';
import { defaultBodyLimit, HTTPModuleFunctions, isValidSlackRequest } from '@slack/bolt';
import type { DeliveryLog } from '../services/deliveries.js';
import type { Log } from '../services/ports.js';
import { shapeProblems } from './delivery-shapes.js';

/**
 * In front of Bolt's HTTP receiver. Refuses, before any listener runs:
 * - 401: a request signed more than a minute ahead of our clock (Bolt refuses only those
 *   older than 5 minutes, so one signed ahead would be replayable for longer);
 * - 400: a correctly signed body of a shape Slack does not send (see delivery-shapes.ts).
 * Everything else goes to Bolt with its body already read (Bolt reuses `rawBody`), which
 * answers unsigned, stale and unparseable requests itself.
 */
export function screenSlackRequests(listener: RequestListener, deps: { signingSecret: string; deliveries: Pick<DeliveryLog, 'fromTheFuture'>; log: Log }): RequestListener {
  const screen: (...args: Parameters<RequestListener>) => Promise<void> = async (req, res) => {
    const timestamp = Number(req.headers['x-slack-request-timestamp']);
    if (Number.isFinite(timestamp) && deps.deliveries.fromTheFuture(timestamp)) {
      deps.log.warn({ timestamp }, 'Slack request signed in the future refused');
      HTTPModuleFunctions.buildNoBodyResponse(res, 401);
      return;
    }
    let buffered: Awaited<ReturnType<typeof HTTPModuleFunctions.bufferIncomingMessage>>;
    try {
      buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, defaultBodyLimit);
    } catch (error) {
      const tooLarge = HTTPModuleFunctions.isRawBodyError(error) && error.statusCode === 413;
      HTTPModuleFunctions.buildNoBodyResponse(res, tooLarge ? 413 : 400);
      return;
    }
    const signature = req.headers['x-slack-signature'];
    const signed =
      typeof signature === 'string' &&
      isValidSlackRequest({ signingSecret: deps.signingSecret, body: buffered.rawBody.toString(), headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp } });
    if (signed) {
      let problems: string[] | undefined;
      try {
        problems = shapeProblems(HTTPModuleFunctions.parseHTTPRequestBody(buffered));
      } catch {
        problems = undefined; // not JSON or a form at all: Bolt answers 400 itself
      }
      if (problems) {
        deps.log.warn({ problems }, 'signed Slack request of an unknown shape refused');
        HTTPModuleFunctions.buildNoBodyResponse(res, 400);
        return;
      }
    }
    listener(buffered, res);
  };
  return (req, res) => {
    screen(req, res).catch((error: unknown) => {
      deps.log.error({ err: error }, 'screening a Slack request failed');
      if (!res.headersSent) HTTPModuleFunctions.buildNoBodyResponse(res, 500);
    });
  };
}
