import type { Duration } from 'luxon';
import type { Policy, ResourcePolicy } from './policy.js';
import { compactDuration, formatDuration, parseDuration } from './duration.js';
import { err, ok, type Result } from './result.js';

export const MAX_REASON_LENGTH = 500;

/** What a resource may be called in the policy (and so what any resource ever granted is called). */
export const RESOURCE_NAME = /^[a-z0-9][a-z0-9._-]*$/;

export interface AccessAsk {
  resource: string;
  durationText: string | undefined;
  reason: string;
}

/** What is wrong with an ask, and in which part of it: the form shows it beside that field. */
export interface AskProblem {
  field: keyof AccessAsk;
  message: string;
  /** Which problem, where the field alone does not say (a missing length, one over the limit). */
  code?: 'no_duration' | 'over_max_duration';
}

/** A refusal from one of the checks below, placed on the field it is about. */
export const askProblem = (field: AskProblem['field'], result: { ok: false; error: string }): Result<never, AskProblem> => err({ field, message: result.error });

export interface ValidAccessAsk {
  resourceName: string;
  resource: ResourcePolicy;
  duration: Duration;
  reason: string;
}

export function findResource(policy: Policy, name: string): Result<ResourcePolicy> {
  const resource = policy.resources[name];
  if (resource) return ok(resource);
  const names = Object.keys(policy.resources).sort();
  return err(
    `There is no resource called "${name}". Resources you can request: ${names.join(', ')}. ` +
      'See `/request help` for the format.',
  );
}

/** The longest a length may be where it is typed, for refusals: `prod-db` allows at most 2 h. */
export interface LengthLimit {
  what: string;
  max: Duration;
}

const LENGTH_SHAPES = '`30m`, `2h`, `1h30m` or `1d`';

/**
 * Reads the duration someone typed; `example` is a corrected command to show them. A refusal
 * says what lengths look like and the limit, since whoever typed `forever` or `1 hour` meant one.
 */
export function askedDuration(text: string, example: string, limit: LengthLimit): Result<Duration> {
  const allowed = `${limit.what} allows at most ${formatDuration(limit.max)}`;
  if (text.startsWith('-')) {
    return err(`"${text}" is negative. Ask for a positive duration like ${LENGTH_SHAPES} (${allowed}), e.g. \`${example}\`.`);
  }
  const parsed = parseDuration(text.replace(/^\+/, ''));
  if (!parsed) {
    return err(`"${text}" is not a duration. Write it like ${LENGTH_SHAPES} (${allowed}), e.g. \`${example}\`.`);
  }
  if (parsed.toMillis() <= 0) {
    return err(`A duration of ${text} grants nothing. Ask for more than zero (${allowed}), e.g. \`${example}\`.`);
  }
  return ok(parsed);
}

/** The reason must be there, short enough, and match the resource's `reason_pattern`. */
export function checkReason(resourceName: string, pattern: string | undefined, text: string, example: string, what: 'access' | 'an exception' | 'break-glass access' = 'access'): Result<string> {
  const reason = text.trim();
  if (reason === '') {
    return err(`Please say why you need ${what}: \`${example}\`.`);
  }
  if (reason.length > MAX_REASON_LENGTH) {
    return err(`Your reason is ${reason.length} characters long; keep it under ${MAX_REASON_LENGTH}.`);
  }
  if (pattern && !new RegExp(pattern).test(reason)) {
    return err(
      `${resourceName} needs a reason that contains a match for \`${pattern}\` ` +
        '(usually a ticket or incident ID). Add it to your reason and ask again.',
    );
  }
  return ok(reason);
}

/** How many requests one person has waiting for approval: on the resource asked for, and in all. */
export interface PendingCounts {
  onResource: number;
  inAll: number;
}

export type PendingLimits = Pick<Policy['settings'], 'max_pending_per_resource' | 'max_pending_per_person'>;

/**
 * Whether one more pending request is one too many (`max_pending_per_resource`, then
 * `max_pending_per_person`): a flood from one person cannot bury everyone else's requests.
 */
export function pendingLimitReached(counts: PendingCounts, limits: PendingLimits): keyof PendingLimits | undefined {
  if (counts.onResource >= limits.max_pending_per_resource) return 'max_pending_per_resource';
  if (counts.inAll >= limits.max_pending_per_person) return 'max_pending_per_person';
  return undefined;
}

/** The refusal when `pendingLimitReached` says so. */
export function pendingLimitMessage(limit: keyof PendingLimits, limits: PendingLimits, resourceName: string): string {
  const waiting =
    limit === 'max_pending_per_resource'
      ? `${limits.max_pending_per_resource} requests for ${resourceName}`
      : `${limits.max_pending_per_person} requests`;
  return (
    `You already have ${waiting} waiting for approval, the most the access policy allows (\`settings.${limit}\`); nothing was requested. ` +
    'Cancel one you no longer need (`/request list` shows them), or wait until the approvers decide.'
  );
}

export function longerThanAllowed(duration: Duration, { what, max }: LengthLimit): string | undefined {
  if (duration.toMillis() <= max.toMillis()) return undefined;
  return `${formatDuration(duration)} is longer than ${what} allows: at most ${formatDuration(max)}. Ask for ${compactDuration(max)} or less.`;
}

/** Checks duration and reason against one resource's limits. Eligibility is checked apart. */
export function checkAccessAsk(policy: Policy, ask: AccessAsk): Result<ValidAccessAsk, AskProblem> {
  const found = findResource(policy, ask.resource);
  if (!found.ok) return askProblem('resource', found);
  const resource = found.value;
  const example = `/request ${ask.resource} ${compactDuration(resource.default_duration ?? resource.max_duration)} <reason>`;

  const limit = { what: ask.resource, max: resource.max_duration };
  let duration: Duration;
  if (ask.durationText === undefined) {
    if (!resource.default_duration) {
      return err({ field: 'durationText', code: 'no_duration', message: `Say how long you need ${ask.resource}, e.g. \`${example}\`.` });
    }
    duration = resource.default_duration;
  } else {
    const asked = askedDuration(ask.durationText, example, limit);
    if (!asked.ok) return askProblem('durationText', asked);
    duration = asked.value;
  }
  const tooLong = longerThanAllowed(duration, limit);
  if (tooLong) return err({ field: 'durationText', code: 'over_max_duration', message: tooLong });

  const reason = checkReason(ask.resource, resource.reason_pattern, ask.reason, example);
  if (!reason.ok) return askProblem('reason', reason);
  return ok({ resourceName: ask.resource, resource, duration, reason: reason.value });
}
