import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../domain/clock.js';
import type { Log } from '../services/ports.js';
import type { Store } from '../store/store.js';

/**
 * How long a lease lasts unrenewed: a replica that dies (SIGKILL, no release) holds its work
 * this long at most before another takes it over. Renewed every third of it.
 */
export const LEASE_TTL_MS = 10_000;

/** Who this process is, in leases, claims and every log line: host, pid and a random part (pids repeat across containers). */
export function newReplicaId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Work that runs on one replica at a time: whether this one may run it now. */
export interface Lease {
  readonly name: string;
  /** This replica holds it: taken or renewed within the ttl (by the local monotonic clock). */
  held(): boolean;
  /** Stops renewing; `release` gives it up so another replica takes it at once (false: as if this one died). */
  stop(opts?: { release?: boolean }): Promise<void>;
}

/**
 * Keeps trying to take the lease `name` and, once held, renews it every ttl/3. `onTaken` runs
 * each time this replica comes to hold it (at start, or taking over from a replica that died),
 * so the work can start at once instead of at its next tick.
 *
 * On SQLite there is one process (or one worker) by design: the lease is this one's from the
 * start (`onTaken` never runs) and the table is not touched, so a restart after a crash does
 * not wait out the dead process's lease.
 */
export function keepLease(deps: {
  store: Pick<Store, 'kind' | 'holdLease' | 'releaseLease'>;
  name: string;
  holder: string;
  clock: Clock;
  log: Log;
  ttlMs?: number;
  onTaken?: () => void;
}): Lease {
  const { store, name, holder, log } = deps;
  const ttlMs = deps.ttlMs ?? LEASE_TTL_MS;
  if (store.kind === 'sqlite') {
    return { name, held: () => true, stop: async () => undefined };
  }

  /** performance.now() of the last successful take or renewal; undefined when not held. */
  let heldSince: number | undefined;
  let attempt: Promise<void> = Promise.resolve();

  const held = () => heldSince !== undefined && performance.now() - heldSince < ttlMs;

  async function renew(): Promise<void> {
    const startedAt = performance.now();
    const had = held();
    try {
      const ok = await store.holdLease(name, holder, ttlMs, deps.clock.now().toMillis());
      heldSince = ok ? startedAt : undefined;
      if (ok && !had) {
        log.info({ lease: name }, 'lease taken: this replica runs it');
        deps.onTaken?.();
      } else if (!ok && had) {
        log.warn({ lease: name }, 'lease lost to another replica');
      }
    } catch (error) {
      // Not renewed: still held until its ttl runs out (held() says so), retried at the next tick.
      log.warn({ err: error, lease: name }, 'could not renew lease');
    }
  }

  const tick = () => {
    attempt = attempt.then(renew);
  };
  const timer = setInterval(tick, Math.max(1, Math.floor(ttlMs / 3)));
  timer.unref();
  tick();

  return {
    name,
    held,
    async stop({ release = true } = {}) {
      clearInterval(timer);
      await attempt;
      const had = held();
      heldSince = undefined;
      if (release && had) await store.releaseLease(name, holder).catch((error: unknown) => log.warn({ err: error, lease: name }, 'could not release lease'));
    },
  };
}
