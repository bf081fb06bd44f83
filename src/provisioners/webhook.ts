import type { Clock } from '../domain/clock.js';
import { createWebhookSender, DeliveryError } from '../webhooks/standard-webhook.js';
import { ACTION_OF, ProvisionerError, type AccessEvent, type Provisioner } from './provisioner.js';

/**
 * A Standard Webhooks-signed POST. One call is one delivery attempt; the
 * `webhook-id` depends only on the grant and action, so every retry carries the same one.
 */
export function createWebhookProvisioner(options: { url: string; secret: string; timeoutMs: number; clock: Clock }): Provisioner {
  const send = createWebhookSender(options);
  return {
    type: 'webhook',
    async apply(event: AccessEvent): Promise<void> {
      try {
        await send(`${event.grant_id}.${ACTION_OF[event.type]}`, JSON.stringify(event));
      } catch (error) {
        if (error instanceof DeliveryError) throw new ProvisionerError('webhook', error.message, { cause: error, quotesOutside: error.quotesOutside });
        throw error;
      }
    },
  };
}
