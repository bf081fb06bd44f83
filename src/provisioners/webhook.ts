import { Webhook } from 'standardwebhooks';
import type { Clock } from '../domain/clock.js';
import { ACTION_OF, ProvisionerError, type AccessEvent, type Provisioner } from './provisioner.js';

/** `whsec_<base64>` is decoded by the library; any other secret is its UTF-8 bytes. */
export function signerFor(secret: string): Webhook {
  return secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(new TextEncoder().encode(secret), { format: 'raw' });
}

/**
 * DESIGN.md §4: a Standard Webhooks-signed POST. One call is one delivery attempt; the
 * `webhook-id` depends only on the grant and action, so every retry carries the same one.
 */
export function createWebhookProvisioner(options: { url: string; secret: string; timeoutMs: number; clock: Clock }): Provisioner {
  const signer = signerFor(options.secret);
  const fail = (message: string, cause?: unknown) => new ProvisionerError('webhook', message, { cause });

  return {
    type: 'webhook',
    async apply(event: AccessEvent): Promise<void> {
      const id = `${event.grant_id}.${ACTION_OF[event.type]}`;
      const body = JSON.stringify(event);
      const sentAt = options.clock.now().toJSDate();
      let response: Response;
      try {
        response = await fetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
            'webhook-signature': signer.sign(id, sentAt, body),
          },
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        if (error instanceof DOMException && error.name === 'TimeoutError') {
          throw fail(`no answer from ${options.url} within ${options.timeoutMs / 1000} s`, error);
        }
        const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
        throw fail(`cannot reach ${options.url}: ${reason}`, error);
      }
      const text = await response.text().catch(() => '');
      if (!response.ok) throw fail(`HTTP ${response.status} from ${options.url}${text ? `: ${text.slice(0, 200)}` : ''}`);
    },
  };
}
