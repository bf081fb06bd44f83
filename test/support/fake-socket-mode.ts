import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Slack's side of a Socket Mode connection: greets with `hello`, delivers envelopes, and
 * records the client's acknowledgements.
 */
export async function startFakeSocketMode() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('socket mode server has no port');
  let client: WebSocket | undefined;
  const acks: { envelope_id: string; payload?: Record<string, unknown> }[] = [];

  server.on('connection', (socket) => {
    client = socket;
    socket.on('message', (data) => acks.push(JSON.parse(data.toString()) as (typeof acks)[number]));
    socket.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0JITBOT' }, debug_info: { host: 'fake' } }));
  });

  return {
    url: `ws://127.0.0.1:${address.port}/link`,
    acks,
    /** Delivers one envelope and resolves with the client's ack. */
    async deliver(type: 'slash_commands' | 'interactive' | 'events_api', payload: Record<string, unknown>, timeoutMs = 5_000) {
      if (!client) throw new Error('no Socket Mode client connected');
      const envelopeId = randomUUID();
      client.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }));
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const ack = acks.find((a) => a.envelope_id === envelopeId);
        if (ack) return ack;
        if (Date.now() > deadline) throw new Error(`no ack for envelope ${envelopeId}`);
        await sleep(10);
      }
    },
    async close() {
      for (const socket of server.clients) socket.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
