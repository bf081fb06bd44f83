import { createHmac } from 'node:crypto';

/** Slack's request signature: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`. */
export function slackSignature(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** POSTs a body to /slack/events signed like Slack does (or forged/stale when told). */
export function signedPost(
  eventsUrl: string,
  signingSecret: string,
  rawBody: string,
  contentType: string,
  opts: { timestamp?: number; signature?: string; retryNum?: number } = {},
): Promise<Response> {
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': opts.signature ?? slackSignature(signingSecret, timestamp, rawBody),
  };
  if (opts.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(opts.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  return fetch(eventsUrl, { method: 'POST', headers, body: rawBody });
}

const TEAM = { id: 'T0TEAM', domain: 'example' };

let sent = 0;
/** A trigger_id or event_id no other delivery of this test process has: the bot drops repeated ones. */
export const uniqueDeliveryId = (prefix: string) => `${prefix}-${process.pid}-${(sent += 1)}-${Date.now()}`;

export function slashCommandBody(args: { text: string; userId: string; responseUrl: string; triggerId?: string; channelId?: string; command?: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: args.channelId ?? 'C0GENERAL',
    channel_name: 'general',
    user_id: args.userId,
    user_name: args.userId.toLowerCase(),
    command: args.command ?? '/request',
    text: args.text,
    api_app_id: 'A0JITBOT',
    response_url: args.responseUrl,
    trigger_id: args.triggerId ?? uniqueDeliveryId('trigger'),
  }).toString();
}

const userOf = (id: string) => ({ id, username: id.toLowerCase(), team_id: TEAM.id });

const payloadBody = (payload: object) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

export function blockActionBody(args: {
  actionId: string;
  value: string;
  userId: string;
  responseUrl: string;
  channelId?: string;
  messageTs?: string;
  triggerId?: string;
  blockId?: string;
}): string {
  const channel = args.channelId ?? 'C0APPROVALS';
  const ts = args.messageTs ?? '1700000000.000100';
  return payloadBody({
    ...buttonClick({ ...args, blockId: args.blockId ?? 'decision', triggerId: args.triggerId ?? uniqueDeliveryId('trigger') }),
    container: { type: 'message', message_ts: ts, channel_id: channel, is_ephemeral: false },
    channel: { id: channel, name: 'approvals' },
    message: { type: 'message', ts, text: 'approval request' },
    response_url: args.responseUrl,
  });
}

/** What every block_actions payload carries: who clicked which button. */
function buttonClick(args: { actionId: string; value: string; userId: string; triggerId: string; blockId: string }) {
  return {
    type: 'block_actions',
    user: userOf(args.userId),
    team: TEAM,
    api_app_id: 'A0JITBOT',
    token: 'legacy-verification-token',
    trigger_id: args.triggerId,
    actions: [{ action_id: args.actionId, block_id: args.blockId, value: args.value, type: 'button', action_ts: String(Date.now() / 1000) }],
  };
}

/** A click in App Home: Slack sends the home view and no response_url. */
export function homeActionBody(args: { actionId: string; value: string; userId: string; triggerId: string; blockId?: string }): string {
  return payloadBody({
    ...buttonClick({ ...args, blockId: args.blockId ?? 'home' }),
    container: { type: 'view', view_id: 'V0HOME' },
    view: { id: 'V0HOME', type: 'home', team_id: TEAM.id, blocks: [], private_metadata: '', callback_id: '', state: { values: {} }, hash: 'h', app_id: 'A0JITBOT' },
  });
}

export function viewSubmissionBody(args: {
  userId: string;
  callbackId: string;
  values: Record<string, Record<string, unknown>>;
  privateMetadata?: string;
}): string {
  return payloadBody({
    type: 'view_submission',
    user: userOf(args.userId),
    team: TEAM,
    api_app_id: 'A0JITBOT',
    token: 'legacy-verification-token',
    trigger_id: uniqueDeliveryId('trigger'),
    view: {
      id: 'V0MODAL',
      type: 'modal',
      callback_id: args.callbackId,
      private_metadata: args.privateMetadata ?? '',
      state: { values: args.values },
    },
  });
}
