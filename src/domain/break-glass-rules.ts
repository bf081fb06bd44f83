import type { Duration } from 'luxon';
import type { Policy, ResourcePolicy } from './policy.js';
import { askedDuration, askProblem, checkReason, findResource, type AccessAsk, type AskProblem } from './access-rules.js';
import { compactDuration } from './duration.js';
import { err, ok, type Result } from './result.js';

export type BreakGlassPolicy = NonNullable<ResourcePolicy['break_glass']>;

/** Unacknowledged this long, a break-glass alert is posted again and the security team DM'd. */
export const BREAK_GLASS_REMINDER_MS = 3_600_000;

/** When an unacknowledged break-glass use is brought up again. */
export function breakGlassReminderAt(use: { createdAt: number }): number {
  return use.createdAt + BREAK_GLASS_REMINDER_MS;
}

export interface ValidBreakGlassAsk {
  resourceName: string;
  resource: ResourcePolicy;
  breakGlass: BreakGlassPolicy;
  duration: Duration;
  /** The duration asked for was over the break-glass maximum and was cut to it. */
  capped: boolean;
  /** What was asked for (the maximum when no duration was given). */
  asked: Duration;
  reason: string;
}

/** The longest break-glass grant: `break_glass.max_duration`, else the resource's `max_duration`. */
export const breakGlassMax = (resource: Pick<ResourcePolicy, 'max_duration'>, breakGlass: BreakGlassPolicy): Duration => breakGlass.max_duration ?? resource.max_duration;

/** Who may break the glass: `eligible`, or when absent, whoever may request the resource. */
export const breakGlassAskers = (resource: ResourcePolicy, breakGlass: BreakGlassPolicy): readonly string[] | undefined => breakGlass.eligible ?? resource.requesters;

/**
 * `/request <resource> <duration> --emergency <reason>`: allowed on the resource at all, a
 * duration (cut to the break-glass maximum rather than refused: this is an emergency), and a
 * reason. The `reason_pattern` is not asked for: an incident may have no ticket yet.
 */
export function checkBreakGlassAsk(policy: Policy, ask: AccessAsk): Result<ValidBreakGlassAsk, AskProblem> {
  const found = findResource(policy, ask.resource);
  if (!found.ok) return askProblem('resource', found);
  const resource = found.value;
  const breakGlass = resource.break_glass;
  if (!breakGlass?.allowed) {
    return err({
      field: 'resource',
      message: `${ask.resource} does not allow break-glass access, so \`--emergency\` cannot be used for it. Ask without it and an approver will decide: \`/request ${ask.resource} <duration> <reason>\`.`,
    });
  }
  const max = breakGlassMax(resource, breakGlass);
  const example = `/request ${ask.resource} ${compactDuration(max)} --emergency <reason>`;
  let duration = max;
  if (ask.durationText !== undefined) {
    const asked = askedDuration(ask.durationText, example, { what: `break-glass on ${ask.resource}`, max });
    if (!asked.ok) return askProblem('durationText', asked);
    duration = asked.value;
  }
  const capped = duration.toMillis() > max.toMillis();
  const reason = checkReason(ask.resource, undefined, ask.reason, example, 'break-glass access');
  if (!reason.ok) return askProblem('reason', reason);
  return ok({ resourceName: ask.resource, resource, breakGlass, duration: capped ? max : duration, capped, asked: duration, reason: reason.value });
}
