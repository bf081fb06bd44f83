import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccessEvent } from '../../src/provisioners/provisioner.js';
import { signerFor } from '../../src/webhooks/standard-webhook.js';

export interface Delivery {
  id: string;
  timestamp: string;
  signature: string;
  body: AccessEvent;
  /** Verified with the standardwebhooks library, as a receiver would. */
  verified: boolean;
  status: number;
  /** When it arrived (epoch ms). */
  at: number;
}

const header = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
};

/** A webhook receiver that verifies every delivery and answers as told (204 by default). */
export async function startWebhookReceiver(secret: string) {
  const verifier = signerFor(secret);
  const deliveries: Delivery[] = [];
  const scripted: ({ kind: 'status'; status: number; body: string | undefined } | { kind: 'hang' })[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let verified = true;
      try {
        verifier.verify(raw, {
          'webhook-id': header(req.headers, 'webhook-id'),
          'webhook-timestamp': header(req.headers, 'webhook-timestamp'),
          'webhook-signature': header(req.headers, 'webhook-signature'),
        });
      } catch {
        verified = false;
      }
      const next = scripted.shift();
      const status = next?.kind === 'status' ? next.status : 204;
      deliveries.push({
        id: header(req.headers, 'webhook-id'),
        timestamp: header(req.headers, 'webhook-timestamp'),
        signature: header(req.headers, 'webhook-signature'),
        body: JSON.parse(raw) as AccessEvent,
        verified,
        status: next?.kind === 'hang' ? 0 : status,
        at: Date.now(),
      });
      if (next?.kind === 'hang') return;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(next?.kind === 'status' && next.body !== undefined ? next.body : status >= 300 ? `receiver says ${status}` : '');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('webhook receiver has no port');

  return {
    url: `http://127.0.0.1:${address.port}/hooks/access`,
    deliveries,
    /** The next `times` answers: `status`, with `body` (default: "receiver says <status>" on a failure). */
    respondWith(status: number, times = 1, body?: string) {
      for (let i = 0; i < times; i += 1) scripted.push({ kind: 'status', status, body });
    },
    /** Forgets every scripted answer still waiting: from now on it answers 204 again. */
    answerNormally() {
      scripted.length = 0;
    },
    hangNext(times = 1) {
      for (let i = 0; i < times; i += 1) scripted.push({ kind: 'hang' });
    },
    async waitForDeliveries(count: number, timeoutMs = 5_000): Promise<Delivery[]> {
      const deadline = Date.now() + timeoutMs;
      while (deliveries.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} webhook deliveries within ${timeoutMs} ms, got ${deliveries.length}: ${deliveries.map((d) => d.id).join(', ')}`);
        }
        await sleep(20);
      }
      return deliveries.slice(0, count);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
