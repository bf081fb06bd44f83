import { Duration } from 'luxon';
import type { Policy } from '../../domain/policy.js';
import { compactDuration, formatDuration } from '../../domain/duration.js';
import { reviewItems, reviewListing } from '../../domain/review-report.js';
import { describeScope, type RevokeScope } from '../../domain/revoke-scope.js';
import type { AccessAnswer } from '../../services/access-requests.js';
import type { BreakGlassGranted } from '../../services/break-glass.js';
import type { PostedReview } from '../../services/ports.js';
import type { RevokeAllCounts } from '../../services/revoke-all.js';
import type { ExceptionRecord, GrantRecord, RequestRecord } from '../../domain/records.js';
import type { OwnAccess } from '../../services/home.js';
import { grantWindow, slackTime } from './time.js';
import { askedFor } from './approval-message.js';
import { escapeMrkdwn } from './typed-text.js';
import { setupTroubleLine } from './direct-messages.js';

/** Ephemeral replies to `/request …`. */
export const replies = {
  /**
   * Why something typed was refused. Refusals quote what was typed (`There is no resource
   * called "…"`) and carry no markup of jitbot's, so the whole text is shown as text.
   */
  refused: (message: string): string => escapeMrkdwn(message),

  help(policy: Policy): string {
    const resources = Object.entries(policy.resources)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, r]) => `• *${name}* (up to ${compactDuration(r.max_duration)})${r.description ? ` — ${r.description}` : ''}`)
      .join('\n');
    // The usage lines' `<placeholders>` are text, not Slack markup.
    const usage = [
      '`/request <resource> <duration> <reason>` — ask for access, e.g. `/request prod-db 30m debugging INC-4211`',
      '`/request` — the same, in a form',
      '`/request list` — your pending requests and active access',
      '`/request release <grant-id or resource>` — end your access now',
      '`/request cancel <request-id>` — withdraw a pending request',
      '`/request optout <resource> <duration> <reason>` — ask to be exempt from approval for a while (where policy allows)',
      '`/request revoke <grant-id or exception-id>` — approvers and the security team: end someone’s access or exception now',
      '`/request <resource> <duration> --emergency <reason>` — break-glass: access at once where the policy allows, security is alerted',
      '`/request revoke-all --resource <name> | --user <@person> | --all <reason>` — the security team, in an incident: end every matching grant and exception now',
      '`/request review` — the security team: post the security review, with Keep / Revoke on each long-lived item and active grant',
      'Durations: `90s`, `30m`, `2h`, `1h30m`, `1d`.',
    ].map(escapeMrkdwn);
    return [
      '*jitbot: access when you need it, for as long as you need it*',
      ...usage,
      '',
      '*Resources*',
      resources,
    ].join('\n');
  },

  accessAnswer(answer: AccessAnswer, policy: Policy): string {
    if (answer.kind === 'granted') {
      const { request, grant, exception } = answer;
      return `🔓 Granted *${request.resource}* for ${formatDuration(Duration.fromMillis(request.durationMs))} without approval, under your opt-out exception \`${exception.id}\` (request \`${request.id}\`, grant \`${grant.id}\`). You will get a DM when it is active.`;
    }
    return replies.requested(answer.request, policy.resources[answer.request.resource]?.channel ?? '', answer.posted);
  },

  exceptionRequested(exception: ExceptionRecord, posted: boolean): string {
    const window = formatDuration(Duration.fromMillis(exception.durationMs));
    return posted
      ? `📨 Asked for an exception from JIT on *${exception.resource}* for ${window} (\`${exception.id}\`). Opt-out approvers were notified; the window starts when they approve, and you will get a DM.`
      : `📨 Recorded your exception request for *${exception.resource}* (\`${exception.id}\`), but Slack refused the approval message; jitbot retries it shortly.`;
  },

  exceptionRevoked: (exception: ExceptionRecord) =>
    `🔒 Closed <@${exception.userId}>'s exception for *${exception.resource}* (\`${exception.id}\`). Their requests need approval again.`,

  requested(request: RequestRecord, channel: string, posted: boolean): string {
    const duration = formatDuration(Duration.fromMillis(request.durationMs));
    const starting = request.startsAt === null ? '' : `, starting ${slackTime(request.startsAt, undefined)}`;
    return posted
      ? `📨 Asked for *${request.resource}* for ${duration}${starting} (\`${request.id}\`). Approvers were notified in <#${channel}>; you will get a DM when they decide. \`/request cancel ${request.id}\` withdraws it.`
      : `📨 Recorded your request for *${request.resource}* (\`${request.id}\`), but Slack refused the message to <#${channel}>; jitbot retries it shortly. Tell an approver if it is urgent.`;
  },

  cancelled: (request: RequestRecord) => `↩️ Cancelled \`${request.id}\` (${request.resource}).`,

  released: (grants: readonly GrantRecord[]) =>
    `🔒 Ending ${grants.map((g) => `*${g.resource}* (\`${g.id}\`)`).join(', ')} now. You will get a message when it is done.`,

  revoked: (grant: GrantRecord) => `🔒 Revoking <@${grant.userId}>'s access to *${grant.resource}* (\`${grant.id}\`) now.`,

  list({ pending, active, exceptions }: OwnAccess, zone: string | undefined): string {
    if (pending.length === 0 && active.length === 0 && exceptions.length === 0) {
      return 'You have no pending requests, no active access and no open exceptions.';
    }
    const lines: string[] = [];
    const troubled = active.flatMap((g) => {
      const trouble = setupTroubleLine(g);
      return trouble === undefined ? [] : [{ grant: g, trouble }];
    });
    const working = active.filter((g) => !troubled.some((t) => t.grant.id === g.id));
    if (working.length > 0) {
      lines.push('*Active access*');
      for (const g of working) lines.push(`• *${g.resource}* ${grantWindow(g, zone)} — \`${g.id}\``);
    }
    if (troubled.length > 0) {
      lines.push('*Access not set up*');
      for (const { grant: g, trouble } of troubled) lines.push(`• *${g.resource}* ${grantWindow(g, zone)} — \`${g.id}\`: ${trouble}`);
    }
    if (pending.length > 0) {
      lines.push('*Waiting for approval*');
      for (const r of pending) {
        lines.push(`• ${askedFor(r)}, asked ${slackTime(r.createdAt, zone)} — \`${r.id}\``);
      }
    }
    if (exceptions.length > 0) {
      lines.push('*Opt-out exceptions*');
      for (const e of exceptions) {
        const state =
          e.status === 'open' && e.endsAt !== null
            ? `open until ${slackTime(e.endsAt, zone)}`
            : `waiting for approval (${formatDuration(Duration.fromMillis(e.durationMs))} from approval)`;
        lines.push(`• *${e.resource}* ${state} — \`${e.id}\``);
      }
    }
    return lines.join('\n');
  },

  breakGlassGranted({ grant, use, cappedFrom }: BreakGlassGranted): string {
    const length = formatDuration(Duration.fromMillis(grant.expiresAt - grant.grantedAt));
    const alerted = use.securityChannel ? `<#${use.securityChannel}>` : use.resourceChannel ? `<#${use.resourceChannel}>` : 'nobody (Slack refused the alert; it is in the audit log)';
    return [
      `🚨 *Break-glass*: access to *${use.resource}* for ${length} (grant \`${grant.id}\`), granted without approval. You will get a DM when it is active.`,
      ...(cappedFrom ? [`You asked for ${formatDuration(cappedFrom)}; break-glass on ${use.resource} lasts at most ${length}.`] : []),
      `Security is alerted in ${alerted} and will review this use.`,
    ].join('\n');
  },

  revokedAll(scope: RevokeScope, counts: RevokeAllCounts): string {
    return `🚨 Revoke-all: ${describeScope(scope)}. ${counts.grants} grant(s) and ${counts.exceptions} opt-out exception(s) are being revoked now; the security channel has been told. \`/request list\` and the audit log show each one.`;
  },

  reviewPosted({ review, report }: PostedReview): string {
    const items = reviewItems(report).length;
    const others = reviewListing(report).length - items;
    return review.channel
      ? `🔎 Security review \`${review.id}\` is posted in <#${review.channel}>: ${items} long-lived item${items === 1 ? '' : 's'} to keep or revoke, then ${others} other active grant${others === 1 ? '' : 's'}.`
      : `🔎 Security review \`${review.id}\` is stored, but could not be posted: set \`settings.security_channel\` and invite jitbot there. Read it with \`jitbot review export ${review.id}\`.`;
  },
};
