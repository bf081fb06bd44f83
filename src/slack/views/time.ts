import { DateTime } from 'luxon';

/**
 * A moment as Slack shows it to each reader in their own time zone (`<!date^…>`), with a
 * fallback written in `zone` (the recipient's Slack time zone) for clients that cannot.
 */
export function slackTime(millis: number, zone: string | undefined): string {
  const moment = DateTime.fromMillis(millis, { zone: zone ?? 'utc' });
  const fallback = moment.isValid
    ? moment.toFormat("ccc d LLL yyyy, HH:mm ZZZZ")
    : DateTime.fromMillis(millis, { zone: 'utc' }).toFormat("ccc d LLL yyyy, HH:mm 'UTC'");
  return `<!date^${Math.floor(millis / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
}
