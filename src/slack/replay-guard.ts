import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { z } from 'zod';
import type { DeliveryLog } from '../services/deliveries.js';
import type { Log } from '../services/ports.js';

/** What identifies one delivery in its body: every interaction has a trigger_id, every event an event_id. */
const deliveryIds = z.looseObject({ trigger_id: z.string().min(1).optional(), event_id: z.string().min(1).optional() });

/**
 * The keys a delivery is remembered by: its signature (a byte-for-byte replay) and its
 * trigger_id or event_id (Slack's own redelivery, which is signed anew). The signature is
 * kept as its SHA-256 only: the database never holds what would authenticate a request.
 */
export function deliveryKeys(body: unknown, signature: string | undefined): string[] {
  const ids = deliveryIds.safeParse(body);
  return [
    signature === undefined ? undefined : `signature:${createHash('sha256').update(signature).digest('hex')}`,
    ids.success && ids.data.trigger_id !== undefined ? `trigger:${ids.data.trigger_id}` : undefined,
    ids.success && ids.data.event_id !== undefined ? `event:${ids.data.event_id}` : undefined,
  ].filter((key) => key !== undefined);
}

/** Bolt's `customPropertiesExtractor`: hands the (already verified) signature to the middleware as `context.slackSignature`. */
export function signatureOf(req: Pick<IncomingMessage, 'headers'>): { slackSignature?: string } {
  const signature = req.headers['x-slack-signature'];
  return typeof signature === 'string' ? { slackSignature: signature } : {};
}

/**
 * Global middleware: a delivery seen before is acked with nothing and goes no further. The
 * ack (HTTP 200, empty) is what a Slack retry of an acked delivery expects; it shows the user nothing.
 */
export function dropRepeatedDeliveries(deliveries: Pick<DeliveryLog, 'firstSighting'>, log: Log): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const signature = args.context['slackSignature'];
    const keys = deliveryKeys(args.body, typeof signature === 'string' ? signature : undefined);
    let first: boolean;
    try {
      first = await deliveries.firstSighting(keys);
    } catch (error) {
      // The log is in the database: when it cannot be read, nothing can change either, and
      // the listener answers the person with its own error reference.
      log.error({ err: error }, 'could not check whether a Slack delivery was seen before');
      first = true;
    }
    if (first) {
      await args.next();
      return;
    }
    log.warn({ retryNum: args.context.retryNum, retryReason: args.context.retryReason }, 'repeated Slack delivery acked and dropped');
    if ('ack' in args && args.ack !== undefined) await args.ack();
  };
}
