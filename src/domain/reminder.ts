/**
 * When to remind someone that a window (a grant, an exception) closes soon: `leadMs` before
 * its end, or never when there is no lead or the window is shorter than the lead.
 */
export function reminderAt(window: { opensAt: number; endsAt: number }, leadMs: number): number | undefined {
  if (leadMs <= 0) return undefined;
  const at = window.endsAt - leadMs;
  return at > window.opensAt ? at : undefined;
}
