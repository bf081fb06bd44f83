import type { Button, KnownBlock } from '@slack/web-api';
import { Duration } from 'luxon';
import { formatDuration } from '../../domain/duration.js';
import type { GrantRecord, RequestRecord } from '../../domain/records.js';
import type { ApprovalView, RequestOutcome } from '../../services/ports.js';
import { slackTime } from './time.js';
import type { ExpandedPrincipals } from '../../domain/principals.js';
import type { Account } from '../../provisioners/provisioner.js';
import { quotedField, typedText } from './typed-text.js';
import { couldNotSetUp, provisionerErrorFor } from './provisioner-error.js';

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** `verbatim`: Slack links nothing by itself (a typed "@channel" or URL stays text); jitbot's own `<…>` markup still works. */
export const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text, verbatim: true });

/** Which account approving grants, where the provisioner names one (or names none). */
export function accountField(account: Account): string | undefined {
  if (account.kind === 'named') return `*Granted as*\n\`${typedText(account.identity)}\` (${account.at})`;
  if (account.kind === 'unmapped') return `*Granted as*\n⚠️ no ${account.at} account maps to this person: approving cannot give access`;
  return undefined;
}

function summary(request: RequestRecord, description: string, account?: Account): KnownBlock[] {
  const about = description ? ` — ${description}` : '';
  const asks =
    request.extendsGrantId === null
      ? `*<@${request.requesterId}>* asks for access to *${request.resource}*${about}`
      : `*<@${request.requesterId}>* asks to extend their access to *${request.resource}*${about} (\`${request.extendsGrantId}\`) beyond what the policy allows without approval`;
  const duration = formatDuration(Duration.fromMillis(request.durationMs));
  const granted = account && accountField(account);
  return [
    {
      type: 'section',
      text: mrkdwn(asks),
      fields: [
        mrkdwn(`*${request.extendsGrantId === null ? 'Duration' : 'Longer by'}*\n${duration}${request.startsAt === null ? '' : `, from ${slackTime(request.startsAt, undefined)}`}`),
        mrkdwn(`*Request*\n\`${request.id}\``),
        mrkdwn(quotedField('Reason', request.reason)),
        ...(granted ? [mrkdwn(granted)] : []),
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
      const state = done ? `✓ ${who.join(', ')}` : index === view.progress.stage ? `⏳ waiting${who.length ? ` (${who.join(', ')} so far)` : ''}` : '· later';
      return `${who.length} of ${stage.approvalsRequired} from ${stage.approvers.join(', ')} ${state}`;
    })
    .join(' · ');
}

/** What a request asks for, in a line: "*prod-db* for 30 min", or an extension of a grant. */
export function askedFor(request: Pick<RequestRecord, 'resource' | 'durationMs' | 'extendsGrantId'>): string {
  const duration = formatDuration(Duration.fromMillis(request.durationMs));
  return request.extendsGrantId === null ? `*${request.resource}* for ${duration}` : `*${request.resource}* ${duration} longer (extending \`${request.extendsGrantId}\`)`;
}

/** "Are you sure?" before Approve, where `confirm_approval` asks for it. */
export function approveConfirmation(request: Pick<RequestRecord, 'requesterId' | 'resource' | 'durationMs' | 'extendsGrantId'>) {
  return {
    title: { type: 'plain_text' as const, text: 'Approve access?' },
    text: mrkdwn(`<@${request.requesterId}> gets ${askedFor(request)}.`),
    confirm: { type: 'plain_text' as const, text: 'Approve' },
    deny: { type: 'plain_text' as const, text: 'Cancel' },
  };
}

/** Approve and Deny on whatever `value` names (a request or an exception), wherever they are shown. */
export function decisionButtons(value: string, confirm?: ReturnType<typeof approveConfirmation>): Button[] {
  return [
    { type: 'button', action_id: 'approve', style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value, ...(confirm ? { confirm } : {}) },
    { type: 'button', action_id: 'deny', style: 'danger', text: { type: 'plain_text', text: 'Deny' }, value },
  ];
}

/** The message approvers see in the resource's channel, with Approve / Deny. */
export function approvalMessage(view: ApprovalView): SlackMessage {
  const { request } = view;
  const progress = progressLine(view);
  return {
    text: `<@${request.requesterId}> asks for ${request.resource} for ${formatDuration(Duration.fromMillis(request.durationMs))}: ${typedText(request.reason)}`,
    blocks: [
      ...summary(request, view.resourceDescription, view.account),
      ...(progress ? [{ type: 'context' as const, elements: [mrkdwn(progress)] }] : []),
      { type: 'actions', block_id: 'decision', elements: decisionButtons(request.id, view.confirmApproval ? approveConfirmation(request) : undefined) },
    ],
  };
}

export const OUTCOME_WORDS: Record<RequestOutcome['kind'], string> = {
  approved: '✅ Approved',
  denied: '❌ Denied',
  cancelled: '↩️ Cancelled by the requester',
  lapsed: '⌛ Lapsed: nobody decided in time',
  withdrawn: '↩️ Withdrawn by jitbot: the access it would extend has ended or cannot be extended again',
};

/** How setting the approved access up went, shown under the decision when it did not simply work. */
export type SetupNote = { kind: 'failing'; error: string; permanent: boolean } | { kind: 'failed'; error: string } | { kind: 'recovered' };

function setupLine(note: SetupNote): string {
  switch (note.kind) {
    case 'failing':
      return `⚠️ Access not set up yet: ${provisionerErrorFor.approvers(note.error)}. ${note.permanent ? 'Retrying cannot fix this; jitbot retries less often.' : 'jitbot keeps trying.'}`;
    case 'failed':
      return `❌ Access could not be set up, and jitbot has stopped trying: ${provisionerErrorFor.approvers(note.error)}`;
    case 'recovered':
      return '🔓 Access is now active: a later attempt set it up.';
  }
}

/** The same message once decided: no buttons, the outcome, who and when; and how the setup went, if it failed. */
export function closedApprovalMessage(request: RequestRecord, outcome: RequestOutcome, setup?: SetupNote): SlackMessage {
  const by = outcome.kind === 'approved' || outcome.kind === 'denied' ? ` by <@${outcome.by}>` : '';
  const line = `${OUTCOME_WORDS[outcome.kind]}${by} · ${slackTime(outcome.at.toMillis(), 'utc')}`;
  return {
    text: `${request.resource} request ${request.id}: ${outcome.kind}${setup ? ` (${setup.kind === 'recovered' ? 'access now active' : 'access not set up'})` : ''}`,
    blocks: [...summary(request, ''), { type: 'context', elements: [mrkdwn(line)] }, ...(setup ? [{ type: 'context' as const, elements: [mrkdwn(setupLine(setup))] }] : [])],
  };
}

/** Policy principals as Slack mentions: people as <@U…>, user groups as <!subteam^S…>. */
export function mentionsOf({ users, usergroups }: ExpandedPrincipals): string {
  return [...[...users].map((u) => `<@${u}>`), ...usergroups.map((g) => `<!subteam^${g}>`)].join(' ');
}

/** Thread replies on an approval message. */
export const approvalThread = {
  escalated: (mentions: string) =>
    `⏫ Nobody has answered this request yet, so it is escalated: ${mentions} may now approve or deny it.`,
  stageReached: (stage: number, total: number, mentions: string) => `➡️ Stage ${stage + 1} of ${total}: ${mentions}, your approval is needed.`,
  /** Setting the approved access up failed in a way retrying cannot fix, or jitbot stopped trying (`final`). */
  setupFailed: (grant: Pick<GrantRecord, 'id' | 'userId' | 'resource'>, error: string, final: boolean) => couldNotSetUp(grant, provisionerErrorFor.approvers(error), final),
  escalatedDm: (request: RequestRecord, channel: string | null) =>
    `⏫ <@${request.requesterId}> has been waiting for access to *${request.resource}* (\`${request.id}\`, reason: ${typedText(request.reason)}) and nobody has answered. You may now approve or deny it${channel ? ` in <#${channel}>` : ''}.`,
};
