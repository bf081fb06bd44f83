/**
 * A timed step asked for before its moment. Every timed step (a revocation, a warning, an
 * escalation, a lapse, a reminder…) decides from the database whether it is due and answers
 * this when it is not, so whoever asked — a timer, the sweep — waits instead of acting early.
 */
export interface NotDue {
  kind: 'not_due';
  /** When the step is due (epoch ms). */
  dueAt: number;
}

/** `not_due` while `now` is before `dueAt`; undefined once the step is due. */
export function notDueYet(dueAt: number, now: number): NotDue | undefined {
  return dueAt > now ? { kind: 'not_due', dueAt } : undefined;
}

export function isNotDue(outcome: { kind: string }): outcome is NotDue {
  return outcome.kind === 'not_due';
}

/** What a timed step did: it happened, it had nothing to do (decided, done already), or not yet. */
export type StepOutcome = { kind: 'done' } | { kind: 'skipped' } | NotDue;
