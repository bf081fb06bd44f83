import type { KnownBlock } from '@slack/web-api';
import { Duration } from 'luxon';
import { formatDuration } from '../../domain/duration.js';
import type { RequestRow } from '../../store/schema.js';
import type { ApprovalView, RequestOutcome } from '../../services/ports.js';
import { slackTime } from './time.js';

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });

function summary(request: RequestRow, description: string): KnownBlock[] {
  return [
    {
      type: 'section',
      text: mrkdwn(`*<@${request.requesterId}>* asks for access to *${request.resource}*${description ? ` — ${description}` : ''}`),
      fields: [
        mrkdwn(`*Duration*\n${formatDuration(Duration.fromMillis(request.durationMs))}`),
        mrkdwn(`*Request*\n\`${request.id}\``),
        mrkdwn(`*Reason*\n${request.reason}`),
      ],
    },
  ];
}

function progressLine(view: ApprovalView): string | undefined {
  const needed = view.stages.reduce((sum, s) => sum + s.approvalsRequired, 0);
  if (needed <= 1) return undefined;
  return view.stages
    .map((stage, index) => {
      const who = view.approvals.filter((a) => a.stage === index).map((a) => `<@${a.approverId}>`);
      const done = who.length >= stage.approvalsRequired;
      const state = done ? '✓' : index === view.progress.stage ? '⏳ waiting' : '· later';
      return `Stage ${index + 1}: ${who.length} of ${stage.approvalsRequired} ${state}${who.length ? ` (${who.join(', ')})` : ''}`;
    })
    .join('\n');
}

/** The message approvers see in the resource's channel, with Approve / Deny. */
export function approvalMessage(view: ApprovalView): SlackMessage {
  const { request } = view;
  const progress = progressLine(view);
  return {
    text: `<@${request.requesterId}> asks for ${request.resource} for ${formatDuration(Duration.fromMillis(request.durationMs))}: ${request.reason}`,
    blocks: [
      ...summary(request, view.resourceDescription),
      ...(progress ? [{ type: 'context' as const, elements: [mrkdwn(progress)] }] : []),
      {
        type: 'actions',
        block_id: 'decision',
        elements: [
          { type: 'button', action_id: 'approve', style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: request.id },
          { type: 'button', action_id: 'deny', style: 'danger', text: { type: 'plain_text', text: 'Deny' }, value: request.id },
        ],
      },
    ],
  };
}

export const OUTCOME_WORDS: Record<RequestOutcome['kind'], string> = {
  approved: '✅ Approved',
  denied: '❌ Denied',
  cancelled: '↩️ Cancelled by the requester',
};

/** The same message once decided: no buttons, the outcome, who and when. */
export function closedApprovalMessage(request: RequestRow, outcome: RequestOutcome): SlackMessage {
  const by = outcome.kind === 'cancelled' ? '' : ` by <@${outcome.by}>`;
  const line = `${OUTCOME_WORDS[outcome.kind]}${by} · ${slackTime(outcome.at.toMillis(), 'utc')}`;
  return {
    text: `${request.resource} request ${request.id}: ${outcome.kind}`,
    blocks: [...summary(request, ''), { type: 'context', elements: [mrkdwn(line)] }],
  };
}
