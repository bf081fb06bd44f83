import { Duration } from 'luxon';
import { formatDuration } from '../../domain/duration.js';
import type { KnownBlock } from '@slack/web-api';
import { reviewItems, type ReviewItem } from '../../domain/review-report.js';
import type { PostedReview } from '../../services/ports.js';
import type { ReviewDecisionRow } from '../../store/schema.js';
import { mrkdwn, type SlackMessage } from './approval-message.js';
import { provisionerErrorFor } from './provisioner-error.js';
import { slackTime } from './time.js';

/**
 * Slack allows 50 blocks a message; each item takes two. Items past this many are left to
 * `jitbot review export` and `revoke` by ID.
 */
const ITEMS_IN_MESSAGE = 20;

const REVIEW_BLOCK = /^review:(rev-[0-9a-z]+):/;
/** Each item's buttons sit in a block that names the review, so a click finds its review. */
const reviewItemBlockId = (reviewId: string, subjectId: string) => `review:${reviewId}:${subjectId}`;
export const reviewIdOfBlock = (blockId: string): string | undefined => REVIEW_BLOCK.exec(blockId)?.[1];

function itemLine(item: ReviewItem): string {
  const what = item.subjectType === 'exception' ? 'opt-out exception' : 'grant';
  const until = item.until === null ? '' : `, until ${slackTime(item.until, undefined)}`;
  return `<@${item.userId}> on *${item.resource}*: ${what} \`${item.subjectId}\`${until}`;
}

function decided(decision: ReviewDecisionRow): string {
  const verb = decision.decision === 'keep' ? '✓ Kept' : '✗ Revoked';
  return `${verb} by <@${decision.decidedBy}> ${slackTime(decision.decidedAt, undefined)}${decision.note ? ` — ${decision.note}` : ''}`;
}

function itemBlocks(reviewId: string, item: ReviewItem, decision: ReviewDecisionRow | undefined): KnownBlock[] {
  const line: KnownBlock = { type: 'section', text: mrkdwn(itemLine(item)) };
  if (decision) return [line, { type: 'context', elements: [mrkdwn(decided(decision))] }];
  return [
    line,
    {
      type: 'actions',
      block_id: reviewItemBlockId(reviewId, item.subjectId),
      elements: [
        { type: 'button', action_id: 'keep', text: { type: 'plain_text', text: 'Keep' }, value: item.subjectId },
        { type: 'button', action_id: 'revoke', style: 'danger', text: { type: 'plain_text', text: 'Revoke' }, value: item.subjectId },
      ],
    },
  ];
}

/** The review as posted in the security channel: the counts, and Keep / Revoke on each long-lived item. */
export function reviewMessage({ review, report, decisions }: PostedReview): SlackMessage {
  const items = reviewItems(report);
  const decisionOf = new Map(decisions.map((d) => [d.subjectId, d]));
  const { longLived, patterns } = report;
  const failed = report.failedRevocations.map((g) => `• <@${g.userId}> on *${g.resource}* (\`${g.id}\`): ${g.revokeError ?? 'no error recorded'}`);
  const notSetUp = report.notSetUp.map(
    (g) => `• <@${g.userId}> on *${g.resource}* (\`${g.id}\`): ${g.status === 'provision_failed' ? 'setup failed, jitbot stopped trying' : 'setup failing, jitbot keeps trying'}: ${provisionerErrorFor.security(g.provisionError ?? 'no error recorded')}`,
  );
  const breakGlass = report.unacknowledgedBreakGlass.map((b) => `• <@${b.userId}> on *${b.resource}* ${slackTime(b.createdAt, undefined)} (\`${b.grantId}\`): ${b.reason}`);
  const drift = report.drift.map((d) =>
    d.kind === 'unmanaged' ? `• *${d.resource}*: \`${d.identity}\` holds it without a grant (\`${d.id}\`)` : `• *${d.resource}*: grant \`${d.grantId ?? ''}\` has no access at the target (\`${d.id}\`)`,
  );
  const patternLines = [
    ...patterns.repeatRequesters.map((p) => `• <@${p.userId}> asked for *${p.resource}* ${p.requests} times: an opt-out or a policy change?`),
    ...patterns.repeatApprovers.map((p) => `• <@${p.approverId}> approved <@${p.requesterId}> ${p.approvals} times`),
    ...(patterns.fastApprovals.length ? [`• ${patterns.fastApprovals.length} approved in under ${formatDuration(Duration.fromMillis(report.thresholds.fastApprovalMs))}`] : []),
    `• ${patterns.denied} denied, ${patterns.lapsed} lapsed`,
  ];
  const shown = items.slice(0, ITEMS_IN_MESSAGE);
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
    { type: 'section', text: mrkdwn(items.length ? '*Long-lived access*: keep or revoke each one.' : '*Long-lived access*: none.') },
    ...shown.flatMap((item) => itemBlocks(review.id, item, decisionOf.get(item.subjectId))),
    {
      type: 'context',
      elements: [
        mrkdwn(
          `${items.length > shown.length ? `${items.length - shown.length} more items are not shown here. ` : ''}The full report: \`jitbot review export ${review.id} --format md\``,
        ),
      ],
    },
  ];
  return { text: `Security review ${review.id}: ${report.activeGrants.length} active grants, ${items.length} long-lived items to review`, blocks };
}
