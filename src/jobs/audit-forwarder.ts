import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../domain/clock.js';
import { rowAsJson } from '../services/row-json.js';
import type { Log } from '../services/ports.js';
import type { Store } from '../store/store.js';
import { errorMessage } from '../error-message.js';

const AUDIT_STREAM = 'audit_webhook';
const PAGE = 100;
const IDLE_POLL_MS = 500;
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

/**
 * Streams every audit event, in chain order, to the `audit_webhook` (a SIEM). Each event is
 * delivered until the receiver takes it (retried with backoff, same `webhook-id`) before the
 * next is sent, and progress is kept in SQLite, so a restart resumes where it stopped.
 */
export function startAuditForwarder(deps: {
  store: Pick<Store, 'listAuditEvents' | 'auditDeliveredSeq' | 'markAuditDelivered' | 'noteAuditDeliveryError'>;
  send: (id: string, body: string) => Promise<void>;
  clock: Clock;
  log: Log;
}) {
  const stopping = new AbortController();
  const pause = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);

  async function run(): Promise<void> {
    let backoff = FIRST_BACKOFF_MS;
    while (!stopping.signal.aborted) {
      const events = deps.store.listAuditEvents({}, deps.store.auditDeliveredSeq(AUDIT_STREAM), PAGE);
      if (events.length === 0) {
        await pause(IDLE_POLL_MS);
        continue;
      }
      for (const event of events) {
        if (stopping.signal.aborted) return;
        try {
          await deps.send(`audit-${event.seq}`, JSON.stringify({ type: 'audit.event', data: rowAsJson(event) }));
        } catch (error) {
          const message = errorMessage(error);
          deps.store.noteAuditDeliveryError(AUDIT_STREAM, message, deps.clock.now().toMillis());
          deps.log.warn({ seq: event.seq, err: error, retryInMs: backoff }, 'audit_webhook delivery failed; retrying the same event');
          await pause(backoff);
          backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
          break;
        }
        deps.store.markAuditDelivered(AUDIT_STREAM, event.seq, deps.clock.now().toMillis());
        backoff = FIRST_BACKOFF_MS;
      }
    }
  }

  const running = run().catch((error: unknown) => deps.log.error({ err: error }, 'audit forwarder stopped'));
  return {
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
