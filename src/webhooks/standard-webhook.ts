import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';
import type { Clock } from '../domain/clock.js';
import { QUOTED_TEXT_LIMIT, quotedFromOutside, redactSecrets } from '../domain/redact.js';
import { errorMessage } from '../error-message.js';

/** `whsec_<base64>` is decoded by the library; any other secret is its UTF-8 bytes. */
export function signerFor(secret: string): Webhook {
  return secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(new TextEncoder().encode(secret), { format: 'raw' });
}

/**
 * Why a delivery failed, in words fit for a log line or an alert: never the signing secret,
 * the URL only as origin and path, the receiver's answer redacted and capped.
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  /** It quotes the receiver's answer or the network's error, not only jitbot's words. */
  readonly quotesOutside: boolean;
  constructor(message: string, options: ErrorOptions & { quotesOutside: boolean }) {
    super(redactSecrets(message), options);
    this.quotesOutside = options.quotesOutside;
  }
}

/** Read of an answer's body: more than is quoted, so redaction sees a URL whole before the cut. */
const BODY_READ_LIMIT = QUOTED_TEXT_LIMIT * 8;

// node:http with keep-alive rather than fetch: a burst of expiries is a burst of POSTs, and
// fetch's web streams cost several times more CPU per call (see bench/RESULTS.md).
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const https = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const options = { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: https ? agents.https : agents.http, signal: AbortSignal.timeout(timeoutMs) };
    const req = (https ? httpsRequest : httpRequest)(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < BODY_READ_LIMIT) text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * One Standard Webhooks delivery (the Standard Webhooks headers): resolves on any 2xx, throws
 * DeliveryError otherwise. The caller picks `id`; reusing it on retries lets receivers de-duplicate.
 */
export function createWebhookSender(options: { url: string; secret: string; timeoutMs: number; clock: Clock }) {
  const signer = signerFor(options.secret);
  const url = new URL(options.url);
  // The URL may hold credentials or a key in its query: errors name only its origin and path.
  const shownUrl = redactSecrets(options.url);
  return async (id: string, body: string): Promise<void> => {
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
        throw new DeliveryError(`no answer from ${shownUrl} within ${options.timeoutMs / 1000} s`, { cause: error, quotesOutside: false });
      }
      throw new DeliveryError(`cannot reach ${shownUrl}: ${quotedFromOutside(errorMessage(error))}`, { cause: error, quotesOutside: true });
    }
    if (response.status < 200 || response.status >= 300) {
      const answer = quotedFromOutside(response.text);
      throw new DeliveryError(`HTTP ${response.status} from ${shownUrl}${answer ? `: ${answer}` : ''}`, { quotesOutside: answer !== '' });
    }
  };
}
