import type { ResourcePolicy } from '../config/policy-schema.js';

/** The extensions offered, where the policy leaves room for them. */
const STEPS_MS = [15, 30, 60, 120, 240, 480].map((minutes) => minutes * 60_000);

/**
 * How much longer a grant may run without approval: within `max_duration` counted from the
 * grant's start, and while it has been extended fewer than `max_extensions` times. The
 * choices are the usual steps that fit, and the whole room left when that is not one of them.
 */
export function extensionChoices(grant: { grantedAt: number; expiresAt: number; extensions: number }, resource: Pick<ResourcePolicy, 'max_duration' | 'max_extensions'>): { roomMs: number; choicesMs: number[]; extensionsLeft: number } {
  const roomMs = Math.max(0, resource.max_duration.toMillis() - (grant.expiresAt - grant.grantedAt));
  const extensionsLeft = Math.max(0, resource.max_extensions - grant.extensions);
  if (roomMs === 0 || extensionsLeft === 0) return { roomMs, choicesMs: [], extensionsLeft };
  const steps = STEPS_MS.filter((ms) => ms <= roomMs);
  return { roomMs, choicesMs: steps.includes(roomMs) ? steps : [...steps, roomMs], extensionsLeft };
}
