import type { WebClient } from '@slack/web-api';
import type { Policy } from '../domain/policy.js';
import type { Directory, Log, Metrics, Notifier } from '../services/ports.js';
import { DateTime } from 'luxon';
import type { ExceptionRecord, GrantRecord, RequestRecord } from '../domain/records.js';
import { approvalMessage, approvalThread, closedApprovalMessage, mentionsOf, mrkdwn, type SetupNote, type SlackMessage } from './views/approval-message.js';
import { closedExceptionApprovalMessage, exceptionApprovalMessage, exceptionNotes } from './views/exception-messages.js';
import { expiryWarning, messages } from './views/direct-messages.js';
import { reviewMessage } from './views/review-message.js';
import { driftNotes } from './views/drift-notes.js';
import { breakGlassMessages } from './views/break-glass-messages.js';
import { securityNotes } from './views/security-notes.js';
import { slackErrorCode, withSlackRetry } from './slack-retry.js';
import { readerZone } from './reader-zone.js';

/**
 * Tells people what happened, through the Web API. Never throws: a message Slack refuses is
 * logged, and the state change it reports stands.
 */
export function createSlackNotifier(deps: {
  client: WebClient;
  directory: Directory;
  policy: () => Policy;
  metrics: Pick<Metrics, 'slackError'>;
  log: Log;
}): Notifier {
  const { client, log } = deps;

  async function attempt<T>(method: 'chat.postMessage' | 'chat.update', context: object, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await withSlackRetry(call);
    } catch (error) {
      deps.metrics.slackError(method, slackErrorCode(error) ?? 'request_failed');
      log.warn({ ...context, err: error }, `Slack refused ${method}`);
      return undefined;
    }
  }

  async function post(channel: string, message: SlackMessage | string, context: object, threadTs?: string) {
    const body = typeof message === 'string' ? { text: message } : message;
    return attempt('chat.postMessage', { channel, ...context }, () => client.chat.postMessage({ channel, ...body, ...(threadTs ? { thread_ts: threadTs } : {}) }));
  }

  /** Posts a message that is updated later: where it landed, or undefined if Slack refused. */
  async function postAt(channel: string, message: SlackMessage, context: object): Promise<{ channel: string; ts: string } | undefined> {
    const posted = await post(channel, message, context);
    return posted?.ts && posted.channel ? { channel: posted.channel, ts: posted.ts } : undefined;
  }

  /** DMs go out in the person's own time zone, and not at all to a deactivated account. */
  async function dm(userId: string, text: (zone: string) => SlackMessage | string, context: object) {
    if (await deps.directory.deactivated(userId).catch(() => false)) {
      log.info({ ...context, userId }, 'no DM: the Slack account is deactivated');
      return;
    }
    await post(userId, text(await readerZone(deps.directory, deps.policy(), userId)), context);
  }

  /** Alerts go to the security channel, or the resource's channel when none is set. */
  const alertChannel = (resource: string) => deps.policy().settings.security_channel ?? deps.policy().resources[resource]?.channel;

  async function alert(resource: string, message: SlackMessage | string, context: object): Promise<void> {
    const channel = alertChannel(resource);
    if (channel) await post(channel, message, context);
    else log.error({ ...context, alert: typeof message === 'string' ? message : message.text }, 'no channel to post an alert to');
  }

  /** Announcements that only the security channel gets (privileged acts); logged without one. */
  async function announce(text: string, context: object): Promise<void> {
    const channel = deps.policy().settings.security_channel;
    if (channel) await post(channel, text, context);
    else log.warn({ ...context, announcement: text }, 'no security_channel to announce in');
  }

  /** A one-section message: what an alert is when it will be redrawn with chat.update. */
  const asMessage = (text: string): SlackMessage => ({ text, blocks: [{ type: 'section', text: mrkdwn(text) }] });

  /** An alert that is redrawn later: where it landed. */
  async function postAlertAt(resource: string, message: SlackMessage, context: object): Promise<{ channel: string; ts: string } | undefined> {
    const channel = alertChannel(resource);
    if (channel) return postAt(channel, message, context);
    log.error({ ...context, alert: message.text }, 'no channel to post an alert to');
    return undefined;
  }

  const resourceChannel = (exception: ExceptionRecord) => deps.policy().resources[exception.resource]?.channel;

  /** The closed approval message, with how setting the access up went under the decision. */
  async function redrawApproval(request: RequestRecord | undefined, setup: SetupNote): Promise<void> {
    if (!request || request.status !== 'approved' || request.decidedBy === null || request.decidedAt === null) return;
    const { approvalChannel: channel, approvalTs: ts } = request;
    if (!channel || !ts) return;
    const outcome = { kind: 'approved' as const, by: request.decidedBy, at: DateTime.fromMillis(request.decidedAt) };
    await attempt('chat.update', { requestId: request.id }, () => client.chat.update({ channel, ts, ...closedApprovalMessage(request, outcome, setup) }));
  }

  /** A setup failure that needs eyes: the security channel, and the approval message's thread where approvers decided. */
  async function toSecurityAndThread(grant: GrantRecord, error: string, request: RequestRecord | undefined, final: boolean): Promise<void> {
    await alert(grant.resource, securityNotes.provisioningFailed(grant, error, { final }), { grantId: grant.id });
    const { approvalChannel: channel, approvalTs: ts } = request ?? {};
    if (channel && ts && channel !== deps.policy().settings.security_channel) await post(channel, approvalThread.setupFailed(grant, error, final), { grantId: grant.id }, ts);
  }

  return {
    async postApprovalRequest(view) {
      const channel = deps.policy().resources[view.request.resource]?.channel;
      if (!channel) return undefined;
      return postAt(channel, approvalMessage(view), { requestId: view.request.id });
    },

    async updateApprovalProgress(view) {
      const { approvalChannel: channel, approvalTs: ts } = view.request;
      if (!channel || !ts) return;
      await attempt('chat.update', { requestId: view.request.id }, () => client.chat.update({ channel, ts, ...approvalMessage(view) }));
    },

    async closeApprovalMessage(request, outcome) {
      const { approvalChannel: channel, approvalTs: ts } = request;
      if (!channel || !ts) return;
      await attempt('chat.update', { requestId: request.id }, () => client.chat.update({ channel, ts, ...closedApprovalMessage(request, outcome) }));
    },

    async requestEscalated(request, to, people) {
      const { approvalChannel: channel, approvalTs: ts } = request;
      if (channel && ts) await post(channel, approvalThread.escalated(mentionsOf(to)), { requestId: request.id }, ts);
      for (const userId of people) await dm(userId, () => approvalThread.escalatedDm(request, channel), { requestId: request.id });
    },

    async stageReached(request, stage, total, approvers) {
      const { approvalChannel: channel, approvalTs: ts } = request;
      if (channel && ts) await post(channel, approvalThread.stageReached(stage, total, mentionsOf(approvers)), { requestId: request.id }, ts);
    },

    requestDecided: (request, outcome) => dm(request.requesterId, () => messages.requestDecided(request, outcome), { requestId: request.id }),
    accessActive: (grant) => dm(grant.userId, (zone) => messages.accessActive(grant, zone), { grantId: grant.id }),
    accessExtended: (grant) => dm(grant.userId, (zone) => messages.accessExtended(grant, zone), { grantId: grant.id }),
    accessEndingSoon: (grant) => dm(grant.userId, (zone) => expiryWarning(grant, zone), { grantId: grant.id }),
    accessEnded: (grant, reason, by) => dm(grant.userId, (zone) => messages.accessEnded(grant, reason, by, zone), { grantId: grant.id }),

    async provisioningFailing(grant, error, request, { permanent, requesterMayRead }) {
      await dm(grant.userId, () => messages.setupFailing(grant, permanent, requesterMayRead ? error : undefined), { grantId: grant.id });
      await redrawApproval(request, { kind: 'failing', error, permanent });
      if (permanent) await toSecurityAndThread(grant, error, request, false);
    },

    async provisioningFailed(grant, error, request, { requesterMayRead }) {
      await toSecurityAndThread(grant, error, request, true);
      await redrawApproval(request, { kind: 'failed', error });
      await dm(grant.userId, () => messages.setupGaveUp(grant, requesterMayRead ? error : undefined), { grantId: grant.id });
    },

    async provisioningRecovered(grant, request) {
      await dm(grant.userId, (zone) => messages.setupRecovered(grant, zone), { grantId: grant.id });
      await redrawApproval(request, { kind: 'recovered' });
    },

    async revocationFailing(grant, error) {
      const message = asMessage(securityNotes.revocationFailing(grant, error));
      const { revokeAlertChannel: channel, revokeAlertTs: ts } = grant;
      if (!channel || !ts) return postAlertAt(grant.resource, message, { grantId: grant.id });
      await attempt('chat.update', { grantId: grant.id }, () => client.chat.update({ channel, ts, ...message }));
      return { channel, ts };
    },

    async revocationRecovered(grant) {
      const { revokeAlertChannel: channel, revokeAlertTs: ts } = grant;
      const message = asMessage(securityNotes.revocationSucceeded(grant, grant.revokeError));
      if (channel && ts) await attempt('chat.update', { grantId: grant.id }, () => client.chat.update({ channel, ts, ...message }));
      if (channel && ts) await post(channel, securityNotes.revocationRecovered(grant), { grantId: grant.id }, ts);
      else await alert(grant.resource, securityNotes.revocationRecovered(grant), { grantId: grant.id });
    },

    async breakGlassAlert(use, grant) {
      const policy = deps.policy();
      const at = async (channel: string | undefined) => (channel ? postAt(channel, breakGlassMessages.alert(use, grant), { grantId: use.grantId }) : undefined);
      const channelOfResource = policy.resources[use.resource]?.channel;
      const security = await at(policy.settings.security_channel);
      const resource = channelOfResource === policy.settings.security_channel ? undefined : await at(channelOfResource);
      return { ...(security ? { security } : {}), ...(resource ? { resource } : {}) };
    },

    async breakGlassAcknowledged(use, grant) {
      const { expiresAt } = grant;
      for (const [channel, ts] of [[use.securityChannel, use.securityTs], [use.resourceChannel, use.resourceTs]] as const) {
        if (channel && ts) await attempt('chat.update', { grantId: use.grantId }, () => client.chat.update({ channel, ts, ...breakGlassMessages.acknowledged(use, expiresAt) }));
      }
    },

    async breakGlassReminder(use, grant, securityTeam) {
      await alert(use.resource, breakGlassMessages.reminder(use, grant.expiresAt), { grantId: use.grantId });
      const channel = alertChannel(use.resource);
      for (const userId of securityTeam) await dm(userId, () => breakGlassMessages.securityDm(use, channel), { grantId: use.grantId });
    },

    breakGlassExtended: (use, grant, how) => alert(use.resource, breakGlassMessages.extended(use, grant, how), { grantId: use.grantId }),

    revokedAll: (actorId, scope, reason, counts) => announce(securityNotes.revokedAll(actorId, scope, reason, counts), { revokeAll: true, actorId }),
    policyChanged: (from, to, changes) => announce(securityNotes.policyChanged(from, to, changes), { policyVersion: to }),
    auditCheckpoint: (checkpoint) => announce(securityNotes.auditCheckpoint(checkpoint), { auditCheckpoint: checkpoint.seq }),
    auditStreamStopped: (problem) => announce(securityNotes.auditStreamStopped(problem), { auditStream: 'stopped' }),

    driftFound: (finding) => alert(finding.resource, driftNotes.found(finding), { findingId: finding.id }),
    unmanagedRemoved: (finding) => alert(finding.resource, driftNotes.removed(finding), { findingId: finding.id }),

    // Exceptions are decided by security: in its channel when there is one.
    async postExceptionRequest(exception, description) {
      const channel = alertChannel(exception.resource);
      if (!channel) return undefined;
      return postAt(channel, exceptionApprovalMessage(exception, description), { exceptionId: exception.id });
    },

    async exceptionRequested(exception) {
      const channel = resourceChannel(exception);
      const approvalChannel = alertChannel(exception.resource);
      if (channel && channel !== approvalChannel) await post(channel, exceptionNotes.requested(exception, approvalChannel), { exceptionId: exception.id });
    },

    async closeExceptionApproval(exception, outcome) {
      const { approvalChannel: channel, approvalTs: ts } = exception;
      if (!channel || !ts) return;
      await attempt('chat.update', { exceptionId: exception.id }, () => client.chat.update({ channel, ts, ...closedExceptionApprovalMessage(exception, outcome) }));
    },

    exceptionDecided: (exception, outcome) => dm(exception.userId, (zone) => messages.exceptionDecided(exception, outcome, zone), { exceptionId: exception.id }),
    exceptionClosingSoon: (exception) => dm(exception.userId, (zone) => messages.exceptionClosingSoon(exception, zone), { exceptionId: exception.id }),

    async exceptionClosed(exception) {
      await dm(exception.userId, () => messages.exceptionClosed(exception), { exceptionId: exception.id });
      const channel = exception.approvalChannel ?? alertChannel(exception.resource);
      if (channel) await post(channel, exceptionNotes.closed(exception), { exceptionId: exception.id }, exception.approvalTs ?? undefined);
    },

    async grantedUnderException(request, grant, exception) {
      const channel = deps.policy().resources[request.resource]?.channel;
      if (channel) await post(channel, exceptionNotes.grantedUnder(request, grant, exception), { requestId: request.id, exceptionId: exception.id });
    },

    async postReview(review) {
      const channel = deps.policy().settings.security_channel;
      if (!channel) return undefined;
      return postAt(channel, reviewMessage(review), { reviewId: review.review.id });
    },

    async updateReview(review) {
      const { channel, messageTs: ts } = review.review;
      if (!channel || !ts) return;
      await attempt('chat.update', { reviewId: review.review.id }, () => client.chat.update({ channel, ts, ...reviewMessage(review) }));
    },
  };
}
