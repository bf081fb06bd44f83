import type { Clock } from '../domain/clock.js';
import { err, type Result } from '../domain/result.js';
import type { Store } from '../store/store.js';
import { createMinuteTally } from './minute-tally.js';
import type { Log, Metrics } from './ports.js';

/** Why a `/request` was refused: the `reason` of its `request.refused` audit event. */
export type RequestRefusalCode =
  | 'unknown_resource'
  | 'no_duration'
  | 'bad_duration'
  | 'over_max_duration'
  | 'bad_reason'
  | 'not_a_requester'
  | 'requester_check_failed'
  | 'no_account'
  | 'bad_start'
  | 'pending_limit';

/** The part of what was typed that is kept: enough to tell what was asked, not a place to store text. */
export const ASKED_CHARS = 200;
/** Different refusals recorded one by one in a minute; the rest share one event. */
export const REFUSALS_PER_MINUTE = 100;

export interface RequestRefusal {
  userId: string;
  /** The resource named, as typed (it may be no resource at all). */
  resource: string;
  /** What the person typed, whole; cut to ASKED_CHARS when recorded. */
  typed: string;
  code: RequestRefusalCode;
}

interface Tally {
  refusal: RequestRefusal;
  count: number;
}

/**
 * Failed requests, recorded: each refusal counts in `jitbot_requests_total{outcome="refused"}`,
 * and the same refusal (same person, words and reason) repeated within a minute becomes one
 * `request.refused` audit event with its count once the minute is over, so a loop cannot flood
 * the trail while a different refusal is still recorded on its own.
 */
export function createRequestRefusals(deps: { store: Pick<Store, 'recordEvent'>; metrics: Pick<Metrics, 'requestOutcome'>; clock: Clock; log: Log }) {
  async function write(key: string | null, { refusal, count }: Tally, startMs: number): Promise<void> {
    const asked = refusal.typed.slice(0, ASKED_CHARS);
    const minute = new Date(startMs).toISOString();
    if (key === null) {
      await deps.store.recordEvent({ at: deps.clock.now().toMillis(), actor: 'unknown', action: 'request.refused', subjectType: 'system', subjectId: 'requests', reason: 'various', details: { other_refusals: true, count, minute } });
    } else {
      await deps.store.recordEvent({
        at: deps.clock.now().toMillis(),
        actor: refusal.userId,
        action: 'request.refused',
        subjectType: 'user',
        subjectId: refusal.userId,
        resource: refusal.resource.slice(0, ASKED_CHARS),
        reason: refusal.code,
        details: { asked, asked_truncated: asked.length < refusal.typed.length, count, minute },
      });
    }
    deps.log.info({ userId: key === null ? undefined : refusal.userId, reason: key === null ? 'various' : refusal.code, count }, 'requests refused');
  }

  const tallies = createMinuteTally<Tally>({ keysPerMinute: REFUSALS_PER_MINUTE, write, failure: 'could not record refused requests', clock: deps.clock, log: deps.log });

  return {
    /** Counts and records the refusal, and answers with `message`. */
    refuse<T>(refusal: RequestRefusal, message: string): Result<T> {
      deps.metrics.requestOutcome('refused');
      const key = JSON.stringify([refusal.userId, refusal.code, refusal.resource, refusal.typed]);
      tallies.tally(key, () => ({ refusal, count: 0 })).count += 1;
      return err(message);
    },
    /** At shutdown: the minute so far is written now. */
    stop: tallies.stop,
  };
}

export type RequestRefusals = ReturnType<typeof createRequestRefusals>;
