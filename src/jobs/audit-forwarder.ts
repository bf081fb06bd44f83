import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../domain/clock.js';
import { rowAsJson } from '../services/row-json.js';
import type { Log } from '../services/ports.js';
import type { Position } from '../store/store.js';
import type { AuditRecord } from '../domain/records.js';
import type { Store } from '../store/store.js';
import { errorMessage } from '../error-message.js';
import type { Lease } from './lease.js';

export const AUDIT_STREAM = 'audit_webhook';
const PAGE = 100;
const IDLE_POLL_MS = 500;
/** How often a refused position is looked at again (an operator may have resumed the stream). */
const REFUSED_POLL_MS = 2_000;
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

/** The event that must come next after a position: the next seq, linked to the hash delivered last. */
function gapAfter(position: Position, event: AuditRecord): string | undefined {
  if (event.seq !== position.seq + 1) return `the next event after seq ${position.seq} is seq ${event.seq}: events are missing`;
  if (event.prevHash !== position.hash) return `event ${event.seq} does not follow the event delivered last (seq ${position.seq}): the log was changed`;
  return undefined;
}

/**
 * Streams every audit event, in chain order, to the `audit_webhook` (a SIEM). Each event is
 * delivered until the receiver takes it (retried with backoff, same `webhook-id`) before the
 * next is sent, and progress is kept in SQLite, so a restart resumes where it stopped.
 *
 * Whenever it has caught up (and at least every PAGE events) it also sends a signed checkpoint
 * of the last event delivered, for `jitbot audit verify --checkpoint`. Its position is signed
 * and must chain onto the next event: a position moved by hand, or a gap or change in the log
 * after it, stops the stream with an alert instead of skipping events.
 *
 * Only the replica holding `lease` forwards. One that loses it mid-page may send an event the
 * next holder sends again: the same `webhook-id`, so the receiver keeps it once.
 */
export function startAuditForwarder(deps: {
  store: Pick<Store, 'listAuditEvents' | 'auditPosition' | 'markAuditDelivered' | 'noteAuditDeliveryError' | 'auditCheckpoint'>;
  send: (id: string, body: string) => Promise<void>;
  /** Tells the security team the stream stopped, and why. */
  alert: (problem: string) => Promise<void>;
  lease: Pick<Lease, 'held'>;
  clock: Clock;
  log: Log;
}) {
  const stopping = new AbortController();
  const pause = (ms: number) => sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);
  const now = () => deps.clock.now().toMillis();
  let backoff = FIRST_BACKOFF_MS;
  let checkpointed = 0;
  let refusedFor: string | undefined;

  /** Sends until the receiver takes it or the forwarder stops (or lost its lease); false when it stopped first. */
  async function deliver(id: string, body: object, context: object): Promise<boolean> {
    while (!stopping.signal.aborted && deps.lease.held()) {
      try {
        await deps.send(id, JSON.stringify(body));
        backoff = FIRST_BACKOFF_MS;
        return true;
      } catch (error) {
        await deps.store.noteAuditDeliveryError(AUDIT_STREAM, errorMessage(error), now());
        deps.log.warn({ ...context, err: error, retryInMs: backoff }, 'audit_webhook delivery failed; retrying the same delivery');
        await pause(backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
    return false;
  }

  /** Stops forwarding for this reason: recorded, logged and alerted once per reason. */
  async function refuse(problem: string): Promise<void> {
    if (refusedFor !== problem) {
      refusedFor = problem;
      const message = `audit_webhook stopped: ${problem}`;
      await deps.store.noteAuditDeliveryError(AUDIT_STREAM, message, now());
      deps.log.error({ problem }, 'audit_webhook stopped: nothing more is sent until the stream is resumed (jitbot audit resume-forwarding)');
      await deps.alert(problem).catch((error: unknown) => deps.log.error({ err: error }, 'could not alert that audit_webhook stopped'));
    }
    await pause(REFUSED_POLL_MS);
  }

  async function checkpoint(position: Position): Promise<void> {
    if (position.seq <= checkpointed) return;
    if (await deliver(`checkpoint-${position.seq}`, { type: 'audit.checkpoint', data: deps.store.auditCheckpoint(position, now()) }, { checkpoint: position.seq })) checkpointed = position.seq;
  }

  /** One page delivered; the reason the stream must stop instead, if any. */
  async function forwardPage(): Promise<string | undefined> {
    const stored = await deps.store.auditPosition(AUDIT_STREAM);
    if (!stored.ok) return stored.problem;
    let position = stored.position;
    const events = await deps.store.listAuditEvents({}, position.seq, PAGE);
    for (const event of events) {
      const gap = gapAfter(position, event);
      if (gap) return gap;
      if (!(await deliver(`audit-${event.seq}`, { type: 'audit.event', data: rowAsJson(event) }, { seq: event.seq }))) return undefined;
      position = { seq: event.seq, hash: event.hash };
      await deps.store.markAuditDelivered(AUDIT_STREAM, position, now());
    }
    await checkpoint(position);
    if (events.length < PAGE) await pause(IDLE_POLL_MS);
    return undefined;
  }

  async function run(): Promise<void> {
    while (!stopping.signal.aborted) {
      if (!deps.lease.held()) {
        await pause(IDLE_POLL_MS);
        continue;
      }
      const problem = await forwardPage();
      if (problem === undefined) refusedFor = undefined;
      else await refuse(problem);
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
