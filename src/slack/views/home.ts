import type { Button, HomeView, KnownBlock } from '@slack/web-api';
import { Duration } from 'luxon';
import { formatDuration } from '../../domain/duration.js';
import type { WaitingRequest } from '../../services/decisions.js';
import type { HomeContents } from '../../services/home.js';
import type { ExceptionRecord, GrantRecord, RequestRecord } from '../../domain/records.js';
import { accountField, approveConfirmation, askedFor, decisionButtons, mrkdwn } from './approval-message.js';
import { expiryButtons, setupTroubleLine } from './direct-messages.js';
import { grantWindow, slackTime } from './time.js';
import { escapeMrkdwn, typedText } from './typed-text.js';

/** Slack allows 100 blocks in a view: each list shows this many, and says how many more there are. */
const SHOWN = 10;
const MINUTE = 60_000;

const words = (ms: number) => formatDuration(Duration.fromMillis(ms));
const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text } });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [mrkdwn(text)] });
const actions = (blockId: string, elements: Button[]): KnownBlock => ({ type: 'actions', block_id: blockId, elements });

function more(total: number, where: string): KnownBlock[] {
  return total > SHOWN ? [context(`…and ${total - SHOWN} more; ${where}.`)] : [];
}

function activeGrant(grant: GrantRecord, now: number, zone: string | undefined): KnownBlock[] {
  const length = grant.provisionedAt === null ? `(${words(grant.expiresAt - grant.grantedAt)})` : `· ${words(Math.max(0, Math.ceil((grant.expiresAt - now) / MINUTE) * MINUTE))} left`;
  const when = `${grantWindow(grant, zone)} ${length}`;
  const trouble = setupTroubleLine(grant);
  const text = `*${grant.resource}* ${when}\n\`${grant.id}\` · ${typedText(grant.reason)}`;
  // Access that is not set up cannot be extended, only given up.
  if (trouble !== undefined) return [{ type: 'section', text: mrkdwn(`${text}\n${trouble}`) }, actions(`home-grant-${grant.id}`, expiryButtons(grant.id).filter((b) => b.action_id === 'release'))];
  return [{ type: 'section', text: mrkdwn(text) }, actions(`home-grant-${grant.id}`, expiryButtons(grant.id))];
}

function pendingRequest(request: RequestRecord, zone: string | undefined): KnownBlock {
  const starting = request.startsAt === null ? '' : `, from ${slackTime(request.startsAt, zone)}`;
  return {
    type: 'section',
    block_id: `home-request-${request.id}`,
    text: mrkdwn(`${askedFor(request)}${starting}, asked ${slackTime(request.createdAt, zone)}\n\`${request.id}\` · ${typedText(request.reason)}`),
    accessory: { type: 'button', action_id: 'cancel', text: { type: 'plain_text', text: 'Cancel' }, value: request.id },
  };
}

function ownException(exception: ExceptionRecord, zone: string | undefined): KnownBlock {
  const state =
    exception.status === 'open' && exception.endsAt !== null
      ? `open until ${slackTime(exception.endsAt, zone)}`
      : `waiting for approval (${words(exception.durationMs)} from approval)`;
  return { type: 'section', text: mrkdwn(`*${exception.resource}* ${state}: your requests are granted without approval\n\`${exception.id}\` · ${typedText(exception.reason)}`) };
}

function waitingRequest({ request, resourceDescription, account, confirmApproval, stage, stages }: WaitingRequest, zone: string | undefined): KnownBlock[] {
  const atStage = stages > 1 ? ` · stage ${stage + 1} of ${stages}` : '';
  const granted = accountField(account);
  const starting = request.startsAt === null ? '' : `, from ${slackTime(request.startsAt, zone)}`;
  const about = resourceDescription ? ` — ${resourceDescription}` : '';
  return [
    {
      type: 'section',
      text: mrkdwn(`<@${request.requesterId}> asks for ${askedFor(request)}${about}${starting}\n_${typedText(request.reason)}_ · asked ${slackTime(request.createdAt, zone)}${atStage} · \`${request.id}\``),
      ...(granted ? { fields: [mrkdwn(granted)] } : {}),
    },
    actions(`home-decide-${request.id}`, decisionButtons(request.id, confirmApproval ? approveConfirmation(request) : undefined)),
  ];
}

function waitingException(exception: ExceptionRecord, zone: string | undefined): KnownBlock[] {
  return [
    {
      type: 'section',
      text: mrkdwn(`<@${exception.userId}> asks to skip approval on *${exception.resource}* for ${words(exception.durationMs)}\n_${typedText(exception.reason)}_ · asked ${slackTime(exception.createdAt, zone)} · \`${exception.id}\``),
    },
    actions(`home-decide-${exception.id}`, decisionButtons(exception.id)),
  ];
}

/**
 * App Home: the viewer's own access (Extend / Release), pending requests (Cancel) and
 * exceptions, and what waits on them as an approver (Approve / Deny, as in the channel).
 * `notice` answers the viewer's last click here, where Slack has no ephemeral reply.
 */
export function homeView(contents: HomeContents, opts: { now: number; zone: string | undefined; notice?: string | undefined }): HomeView {
  const { own, waiting } = contents;
  const { now, zone } = opts;
  const blocks: KnownBlock[] = [];
  if (opts.notice) blocks.push({ type: 'section', text: mrkdwn(opts.notice) }, { type: 'divider' });

  const waitingCount = waiting.requests.length + waiting.exceptions.length;
  if (waitingCount > 0) {
    blocks.push(header(`Waiting on you (${waitingCount})`));
    for (const item of waiting.requests.slice(0, SHOWN)) blocks.push(...waitingRequest(item, zone));
    blocks.push(...more(waiting.requests.length, 'the approval channels have them all'));
    for (const exception of waiting.exceptions.slice(0, SHOWN)) blocks.push(...waitingException(exception, zone));
    blocks.push(...more(waiting.exceptions.length, 'the security channel has them all'), { type: 'divider' });
  }

  blocks.push(header('Your access'));
  if (own.active.length === 0) blocks.push(context('No active access.'));
  for (const grant of own.active.slice(0, SHOWN)) blocks.push(...activeGrant(grant, now, zone));
  blocks.push(...more(own.active.length, '`/request list` shows them all'));

  if (own.pending.length > 0) {
    blocks.push(header('Waiting for approval'));
    for (const request of own.pending.slice(0, SHOWN)) blocks.push(pendingRequest(request, zone));
    blocks.push(...more(own.pending.length, '`/request list` shows them all'));
  }
  if (own.exceptions.length > 0) {
    blocks.push(header('Opt-out exceptions'));
    for (const exception of own.exceptions.slice(0, SHOWN)) blocks.push(ownException(exception, zone));
  }
  blocks.push(context(`Shown ${slackTime(now, zone)}; redrawn whenever something here changes. Ask for access with \`${escapeMrkdwn('/request <resource> <duration> <reason>')}\`.`));
  return { type: 'home', blocks };
}
