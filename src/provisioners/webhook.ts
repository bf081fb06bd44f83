import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';
import type { Clock } from '../domain/clock.js';
import { ACTION_OF, ProvisionerError, type AccessEvent, type Provisioner } from './provisioner.js';

/** `whsec_<base64>` is decoded by the library; any other secret is its UTF-8 bytes. */
export function signerFor(secret: string): Webhook {
  return secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(new TextEncoder().encode(secret), { format: 'raw' });
}

// node:http with keep-alive rather than fetch: a burst of expiries is a burst of POSTs, and
// fetch's web streams cost several times more CPU per call (see bench/RESULTS.md).
const agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: agents[url.protocol === 'https:' ? 'https:' : 'http:'], signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < 200) text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * DESIGN.md §4: a Standard Webhooks-signed POST. One call is one delivery attempt; the
 * `webhook-id` depends only on the grant and action, so every retry carries the same one.
 */
export function createWebhookProvisioner(options: { url: string; secret: string; timeoutMs: number; clock: Clock }): Provisioner {
  const signer = signerFor(options.secret);
  const url = new URL(options.url);
  const fail = (message: string, cause?: unknown) => new ProvisionerError('webhook', message, { cause });

  return {
    type: 'webhook',
    async apply(event: AccessEvent): Promise<void> {
      const id = `${event.grant_id}.${ACTION_OF[event.type]}`;
      const body = JSON.stringify(event);
      const sentAt = options.clock.now().toJSDate();
      let response: { status: number; text: string };
      try {
        response = await post(
          url,
          {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
            'webhook-signature': signer.sign(id, sentAt, body),
          },
          body,
          options.timeoutMs,
        );
      } catch (error) {
        if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
          throw fail(`no answer from ${options.url} within ${options.timeoutMs / 1000} s`, error);
        }
        throw fail(`cannot reach ${options.url}: ${error instanceof Error ? error.message : String(error)}`, error);
      }
      if (response.status < 200 || response.status >= 300) {
        throw fail(`HTTP ${response.status} from ${options.url}${response.text ? `: ${response.text.slice(0, 200)}` : ''}`);
      }
    },
  };
}
