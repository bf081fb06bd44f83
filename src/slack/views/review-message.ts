import { Duration } from 'luxon';
import { formatDuration } from '../../domain/duration.js';
import type { KnownBlock } from '@slack/web-api';
import { reviewItems, reviewListing, type ReviewEntry } from '../../domain/review-report.js';
import type { PostedReview } from '../../services/ports.js';
import type { ReviewDecisionRecord } from '../../domain/records.js';
import { mrkdwn, type SlackMessage } from './approval-message.js';
import { provisionerErrorFor } from './provisioner-error.js';
import { slackTime } from './time.js';
import { typedText } from './typed-text.js';

/**
 * Slack allows 50 blocks a message; each item takes two, and the rest of the review at most
 * nine. Items past this many are counted and left to `jitbot review export`.
 */
const ITEMS_IN_MESSAGE = 20;
/**
 * Typed or reported text is cut to this many characters in the message (the export has it
 * whole): Slack refuses a section over 3,000 characters and a message much over 12,000.
 */
const SHOWN_CHARS = { reason: 100, detail: 80 } as const;

const REVIEW_BLOCK = /^review:(rev-[0-9a-z]+):/;
/** Each item's buttons sit in a block that names the review, so a click finds its review. */
const reviewItemBlockId = (reviewId: string, subjectId: string) => `review:${reviewId}:${subjectId}`;
export const reviewIdOfBlock = (blockId: string): string | undefined => REVIEW_BLOCK.exec(blockId)?.[1];

/** A Slack user as a mention; anyone else (`jitbot`, `cli:…`) by name. */
const person = (id: string) => (/^[UW][A-Z0-9]{2,}$/.test(id) ? `<@${id}>` : typedText(id, SHOWN_CHARS.detail));

/** One entry of the listing: who, on what, since and until, who approved it, and why. */
function entryLine({ item, since, approvedBy, reason, standingGrantId }: ReviewEntry): string {
  const length = since === null || item.until === null ? '' : ` for ${formatDuration(Duration.fromMillis(item.until - since))}`;
  const what = item.subjectType === 'exception' ? `opt-out exception \`${item.subjectId}\`` : `grant \`${item.subjectId}\`${length}`;
  const window = [since === null ? '' : `since ${slackTime(since, undefined)}`, item.until === null ? '' : `until ${slackTime(item.until, undefined)}`].filter((w) => w !== '').join(' ');
  const approved = approvedBy === null ? 'no approver recorded' : `approved by ${person(approvedBy)}`;
  const standing = standingGrantId === null ? '' : `\nIts standing grant \`${standingGrantId}\` ends with it.`;
  return `<@${item.userId}> on *${item.resource}*: ${what}\n${window} · ${approved}\n> ${typedText(reason, SHOWN_CHARS.reason) || '_no reason_'}${standing}`;
}

function decided(decision: ReviewDecisionRecord): string {
  const verb = decision.decision === 'keep' ? '✓ Kept' : '✗ Revoked';
  return `${verb} by <@${decision.decidedBy}> ${slackTime(decision.decidedAt, undefined)}${decision.note ? ` — ${typedText(decision.note, SHOWN_CHARS.reason)}` : ''}`;
}

function entryBlocks(reviewId: string, entry: ReviewEntry, decision: ReviewDecisionRecord | undefined): KnownBlock[] {
  const line: KnownBlock = { type: 'section', text: mrkdwn(entryLine(entry)) };
  if (decision) return [line, { type: 'context', elements: [mrkdwn(decided(decision))] }];
  const subjectId = entry.item.subjectId;
  return [
    line,
    {
      type: 'actions',
      block_id: reviewItemBlockId(reviewId, subjectId),
      elements: [
        { type: 'button', action_id: 'keep', text: { type: 'plain_text', text: 'Keep' }, value: subjectId },
        { type: 'button', action_id: 'revoke', style: 'danger', text: { type: 'plain_text', text: 'Revoke' }, value: subjectId },
      ],
    },
  ];
}

/**
 * The review as posted in the security channel: the counts, what it found, and the access it
 * counts (long-lived first, then every active grant), with Keep / Revoke on the first items.
 */
export function reviewMessage({ review, report, decisions }: PostedReview): SlackMessage {
  const listing = reviewListing(report);
  const decisionOf = new Map(decisions.map((d) => [d.subjectId, d]));
  const { longLived, patterns } = report;
  const failed = report.failedRevocations.map((g) => `• <@${g.userId}> on *${g.resource}* (\`${g.id}\`): ${provisionerErrorFor.security(g.revokeError ?? 'no error recorded', SHOWN_CHARS.detail)}`);
  const notSetUp = report.notSetUp.map(
    (g) => `• <@${g.userId}> on *${g.resource}* (\`${g.id}\`): ${g.status === 'provision_failed' ? 'setup failed, jitbot stopped trying' : 'setup failing, jitbot keeps trying'}: ${provisionerErrorFor.security(g.provisionError ?? 'no error recorded', SHOWN_CHARS.detail)}`,
  );
  const breakGlass = report.unacknowledgedBreakGlass.map((b) => `• <@${b.userId}> on *${b.resource}* ${slackTime(b.createdAt, undefined)} (\`${b.grantId}\`): ${typedText(b.reason, SHOWN_CHARS.detail)}`);
  const drift = report.drift.map((d) =>
    d.kind === 'unmanaged'
      ? `• *${d.resource}*: \`${typedText(d.identity, SHOWN_CHARS.detail)}\` holds it without a grant (\`${d.id}\`)`
      : `• *${d.resource}*: grant \`${d.grantId ?? ''}\` has no access at the target (\`${d.id}\`)`,
  );
  const patternLines = [
    ...patterns.repeatRequesters.map((p) => `• <@${p.userId}> asked for *${p.resource}* ${p.requests} times: an opt-out or a policy change?`),
    ...patterns.repeatApprovers.map((p) => `• <@${p.approverId}> approved <@${p.requesterId}> ${p.approvals} times`),
    ...(patterns.fastApprovals.length ? [`• ${patterns.fastApprovals.length} approved in under ${formatDuration(Duration.fromMillis(report.thresholds.fastApprovalMs))}`] : []),
    `• ${patterns.denied} denied, ${patterns.lapsed} lapsed`,
  ];
  const shown = listing.slice(0, ITEMS_IN_MESSAGE);
  const rest = listing.length - shown.length;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: '🔎 Security review' } },
    {
      type: 'section',
      text: mrkdwn(`\`${review.id}\` · ${slackTime(report.since, undefined)} to ${slackTime(report.until, undefined)} · run by ${review.trigger === 'schedule' ? 'the schedule' : `<@${review.createdBy}>`}`),
      fields: [
        mrkdwn(`*Active grants*\n${report.activeGrants.length}`),
        mrkdwn(`*Open exceptions*\n${longLived.openExceptions.length}`),
        mrkdwn(`*Standing grants*\n${longLived.standingGrants.length}`),
        mrkdwn(`*Long grants*\n${longLived.longGrants.length}`),
        mrkdwn(`*Failed revocations*\n${report.failedRevocations.length}`),
        mrkdwn(`*Not set up*\n${report.notSetUp.length}`),
        mrkdwn(`*Drift findings*\n${report.drift.length}`),
        mrkdwn(`*Unacknowledged break-glass*\n${report.unacknowledgedBreakGlass.length}`),
      ],
    },
    ...(breakGlass.length ? [{ type: 'section' as const, text: mrkdwn(`*Unacknowledged break-glass*\n${breakGlass.slice(0, 10).join('\n')}`) }] : []),
    ...(failed.length ? [{ type: 'section' as const, text: mrkdwn(`*Failed revocations*\n${failed.slice(0, 10).join('\n')}`) }] : []),
    ...(notSetUp.length ? [{ type: 'section' as const, text: mrkdwn(`*Approved but not set up* (not counted as active)\n${notSetUp.slice(0, 10).join('\n')}`) }] : []),
    ...(drift.length ? [{ type: 'section' as const, text: mrkdwn(`*Drift*\n${drift.slice(0, 10).join('\n')}`) }] : []),
    { type: 'section', text: mrkdwn(`*Patterns*\n${patternLines.slice(0, 12).join('\n')}`) },
    { type: 'divider' },
    {
      type: 'section',
      text: mrkdwn(listing.length ? '*Access to review*: long-lived first, then every active grant, soonest end first. Keep or revoke each one.' : '*Access to review*: no active grants or open exceptions.'),
    },
    ...shown.flatMap((entry) => entryBlocks(review.id, entry, decisionOf.get(entry.item.subjectId))),
    {
      type: 'context',
      elements: [mrkdwn(`${rest > 0 ? `${rest} more item${rest === 1 ? ' is' : 's are'} not shown here. ` : ''}\`jitbot review export ${review.id}\` lists all of them, with the decisions.`)],
    },
  ];
  return { text: `Security review ${review.id}: ${report.activeGrants.length} active grants, ${reviewItems(report).length} long-lived items to review`, blocks };
}
