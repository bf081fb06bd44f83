const OPTIONS: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
};
const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone (building one costs far more than using it); UTC for a zone Intl does not know. */
function formatterFor(zone: string): Intl.DateTimeFormat {
  const cached = formatters.get(zone);
  if (cached) return cached;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-GB', { ...OPTIONS, timeZone: zone });
  } catch {
    formatter = new Intl.DateTimeFormat('en-GB', { ...OPTIONS, timeZone: 'UTC' });
  }
  formatters.set(zone, formatter);
  return formatter;
}

/**
 * A moment as Slack shows it to each reader in their own time zone (`<!date^…>`), with a
 * fallback written in `zone` (the recipient's Slack time zone) for clients that cannot.
 */
export function slackTime(millis: number, zone: string | undefined): string {
  const fallback = formatterFor(zone ?? 'UTC').format(millis);
  return `<!date^${Math.floor(millis / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
}

/**
 * A grant's window as people read it: "from … until …" while it is not set up yet (scheduled
 * for later, or being set up right now), "until …" once it is.
 */
export function grantWindow(grant: { provisionedAt: number | null; grantedAt: number; expiresAt: number }, zone: string | undefined): string {
  const from = grant.provisionedAt === null ? `from ${slackTime(grant.grantedAt, zone)} ` : '';
  return `${from}until ${slackTime(grant.expiresAt, zone)}`;
}
