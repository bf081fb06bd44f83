import type { ResourcePolicy } from './policy.js';
import { breakGlassMax } from './break-glass-rules.js';

/** The extensions offered, where the policy leaves room for them. */
const STEPS_MS = [15, 30, 60, 120, 240, 480].map((minutes) => minutes * 60_000);

/**
 * How long a grant may run in all without the approvers: the resource's `max_duration`, but a
 * break-glass grant only its `break_glass.max_duration` (and no longer than it already runs
 * once the resource allows break-glass no more). Break-glass stays break-glass.
 */
export function atOnceLimitMs(resource: Pick<ResourcePolicy, 'max_duration' | 'break_glass'>, breakGlass: boolean): number {
  if (!breakGlass) return resource.max_duration.toMillis();
  return resource.break_glass?.allowed ? breakGlassMax(resource, resource.break_glass).toMillis() : 0;
}

/**
 * How much longer a grant may run. `choicesMs` need no approval: within `atOnceMaxMs` (see
 * atOnceLimitMs) counted from the grant's start (the usual steps that fit, and the whole room
 * left when that is not one of them). `approvalChoicesMs` go beyond it and go to the approvers
 * like a request; each is at most `max_duration`, as long as a fresh grant could be. Both
 * kinds count against `max_extensions`.
 */
export function extensionChoices(
  grant: { grantedAt: number; expiresAt: number; extensions: number },
  resource: Pick<ResourcePolicy, 'max_duration' | 'max_extensions'>,
  atOnceMaxMs = resource.max_duration.toMillis(),
): { roomMs: number; choicesMs: number[]; approvalChoicesMs: number[]; extensionsLeft: number } {
  const maxMs = resource.max_duration.toMillis();
  const roomMs = Math.max(0, atOnceMaxMs - (grant.expiresAt - grant.grantedAt));
  const extensionsLeft = Math.max(0, resource.max_extensions - grant.extensions);
  if (extensionsLeft === 0) return { roomMs, choicesMs: [], approvalChoicesMs: [], extensionsLeft };
  const steps = STEPS_MS.filter((ms) => ms <= roomMs);
  const choicesMs = roomMs === 0 || steps.includes(roomMs) ? steps : [...steps, roomMs];
  const beyond = STEPS_MS.filter((ms) => ms > roomMs && ms <= maxMs);
  const approvalChoicesMs = maxMs > roomMs && !beyond.includes(maxMs) ? [...beyond, maxMs] : beyond;
  return { roomMs, choicesMs, approvalChoicesMs, extensionsLeft };
}

export type ExtensionVoid = 'grant_ended' | 'max_extensions';

/**
 * Why an approved extension could no longer apply: the access it extends has ended or is
 * ending, or it has been extended as often as `max_extensions` allows meanwhile.
 */
export function extensionVoid(
  grant: { status: string; endRequestedReason: string | null; expiresAt: number; extensions: number } | undefined,
  now: number,
  maxExtensions: number,
): ExtensionVoid | undefined {
  if (!grant || grant.status !== 'active' || grant.endRequestedReason !== null || grant.expiresAt <= now) return 'grant_ended';
  if (grant.extensions >= maxExtensions) return 'max_extensions';
  return undefined;
}
