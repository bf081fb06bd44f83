import type { Duration } from 'luxon';
import type { Policy, ResourcePolicy } from '../config/policy-schema.js';
import { compactDuration, formatDuration, parseDuration } from './duration.js';
import { err, ok, type Result } from './result.js';

export const MAX_REASON_LENGTH = 500;

export interface AccessAsk {
  resource: string;
  durationText: string | undefined;
  reason: string;
}

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

/** Checks duration and reason against one resource's limits. Eligibility is checked apart. */
export function checkAccessAsk(policy: Policy, ask: AccessAsk): Result<ValidAccessAsk> {
  const found = findResource(policy, ask.resource);
  if (!found.ok) return found;
  const resource = found.value;
  const example = `/request ${ask.resource} ${compactDuration(resource.default_duration ?? resource.max_duration)} <reason>`;

  let duration: Duration;
  if (ask.durationText === undefined) {
    if (!resource.default_duration) {
      return err(`Say how long you need ${ask.resource}, e.g. \`${example}\`.`);
    }
    duration = resource.default_duration;
  } else {
    if (ask.durationText.startsWith('-')) {
      return err(`"${ask.durationText}" is negative. Ask for a positive duration like 30m, e.g. \`${example}\`.`);
    }
    const parsed = parseDuration(ask.durationText.replace(/^\+/, ''));
    if (!parsed) {
      return err(`"${ask.durationText}" is not a duration. Write it like 90s, 30m, 2h or 1h30m, e.g. \`${example}\`.`);
    }
    if (parsed.toMillis() <= 0) {
      return err(`A duration of ${ask.durationText} grants nothing. Ask for more than zero, e.g. \`${example}\`.`);
    }
    duration = parsed;
  }
  if (duration.toMillis() > resource.max_duration.toMillis()) {
    return err(
      `${formatDuration(duration)} is longer than ${ask.resource} allows: at most ${formatDuration(resource.max_duration)}. ` +
        `Ask for ${compactDuration(resource.max_duration)} or less.`,
    );
  }

  const reason = ask.reason.trim();
  if (reason === '') {
    return err(`Please say why you need access: \`${example}\`.`);
  }
  if (reason.length > MAX_REASON_LENGTH) {
    return err(`Your reason is ${reason.length} characters long; keep it under ${MAX_REASON_LENGTH}.`);
  }
  if (resource.reason_pattern && !new RegExp(resource.reason_pattern).test(reason)) {
    return err(
      `${ask.resource} needs a reason that contains a match for \`${resource.reason_pattern}\` ` +
        '(usually a ticket or incident ID). Add it to your reason and ask again.',
    );
  }
  return ok({ resourceName: ask.resource, resource, duration, reason });
}
