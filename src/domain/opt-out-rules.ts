import type { Duration } from 'luxon';
import type { Policy, ResourcePolicy } from './policy.js';
import { askedDuration, askProblem, checkReason, findResource, longerThanAllowed, type AccessAsk, type AskProblem } from './access-rules.js';
import { compactDuration, formatDuration } from './duration.js';
import { err, ok, type Result } from './result.js';

export type OptOutPolicy = NonNullable<ResourcePolicy['opt_out']>;

export interface ValidOptOutAsk {
  resourceName: string;
  resource: ResourcePolicy;
  optOut: OptOutPolicy;
  duration: Duration;
  reason: string;
}

/**
 * Checks an opt-out ask against the resource's `opt_out` policy: allowed at all, a window
 * no longer than its `max_duration`, and a reason. Who may ask is checked apart (it needs Slack).
 */
export function checkOptOutAsk(policy: Policy, ask: AccessAsk): Result<ValidOptOutAsk, AskProblem> {
  const found = findResource(policy, ask.resource);
  if (!found.ok) return askProblem('resource', found);
  const resource = found.value;
  const optOut = resource.opt_out;
  if (!optOut?.allowed) {
    return err({
      field: 'resource',
      message:
        `${ask.resource} does not allow opt-out exceptions, so every access to it goes through approval. ` +
        `Ask for access with \`/request ${ask.resource} <duration> <reason>\`.`,
    });
  }
  const example = `/request optout ${ask.resource} ${compactDuration(optOut.max_duration)} <reason>`;
  if (ask.durationText === undefined) {
    return err({ field: 'durationText', message: `Say how long the exception should last (at most ${formatDuration(optOut.max_duration)}), e.g. \`${example}\`.` });
  }
  const limit = { what: `an opt-out exception for ${ask.resource}`, max: optOut.max_duration };
  const duration = askedDuration(ask.durationText, example, limit);
  if (!duration.ok) return askProblem('durationText', duration);
  const tooLong = longerThanAllowed(duration.value, limit);
  if (tooLong) return err({ field: 'durationText', message: tooLong });
  const reason = checkReason(ask.resource, resource.reason_pattern, ask.reason, example, 'an exception');
  if (!reason.ok) return askProblem('reason', reason);
  return ok({ resourceName: ask.resource, resource, optOut, duration: duration.value, reason: reason.value });
}

/** Whether a typed or clicked ID names an opt-out exception (`exc-…`) rather than a request or grant. */
export const isExceptionId = (id: string): boolean => id.trim().toLowerCase().startsWith('exc-');

/** Who may ask for an exception: `eligible`, or when absent, whoever may request the resource. */
export function optOutAskers(resource: ResourcePolicy, optOut: OptOutPolicy): readonly string[] | undefined {
  return optOut.eligible ?? resource.requesters;
}
