import type { LoadedPolicy } from '../config/load-policy.js';
import { approvalProgress, approvalStages, awaitsApprovalFrom, lapsesAt, type ApprovalProgress, type ApprovalRefusal } from '../domain/approval-chain.js';
import type { Clock } from '../domain/clock.js';
import { notDueYet, type StepOutcome } from '../domain/due.js';
import type { ExtensionVoid } from '../domain/extension-rules.js';
import { expandPrincipals } from '../domain/principals.js';
import type { PendingKind } from '../store/store.js';
import type { GrantRecord, RequestRecord } from '../domain/records.js';
import type { Store } from '../store/store.js';
import type { Membership } from './membership.js';
import type { Account } from '../provisioners/provisioner.js';
import { DirectoryError, type AccountLookup, type Log, type Metrics, type Notifier, type RequestOutcome, type Scheduler } from './ports.js';
import type { MessageLane } from './message-lane.js';
import { grantForRequest } from './grant-for-request.js';
import { queueOrLeaveToSweep } from './queue-or-sweep.js';

export type DecisionResult =
  | { kind: 'approved'; request: RequestRecord; grant: GrantRecord }
  | { kind: 'extended'; request: RequestRecord; grant: GrantRecord }
  | { kind: 'recorded'; request: RequestRecord; progress: ApprovalProgress }
  | { kind: 'denied'; request: RequestRecord }
  | { kind: 'refused'; message: string };

const REFUSAL_TEXT: Record<ApprovalRefusal, string> = {
  self_approval: 'You cannot approve your own request. Another approver has to decide.',
  already_approved: 'You already approved this request; a second approval from you does not count.',
  not_an_approver: 'You are not an approver for this request, so your click changed nothing.',
};

const WITHDRAWN_TEXT: Record<ExtensionVoid, string> = {
  grant_ended: 'The access this request would extend has already ended, so jitbot withdrew the request; nothing was approved.',
  max_extensions: 'That access has meanwhile been extended as often as the policy allows (`max_extensions`), so jitbot withdrew the request; nothing was approved.',
};

function alreadyDecided(request: RequestRecord): string {
  const who = request.decidedBy && request.decidedBy !== 'jitbot' ? ` by <@${request.decidedBy}>` : '';
  return `This request was already ${request.status}${who}; nothing changed.`;
}

/** A request waiting on someone's approval, as App Home lists it. */
export interface WaitingRequest {
  request: RequestRecord;
  resourceDescription: string;
  /** The account approving it grants. */
  account: Account;
  confirmApproval: boolean;
  /** Which stage of how many it waits at (0-based), for chains of more than one. */
  stage: number;
  stages: number;
}

/** Which rules judge a request, and whether escalation has added approvers: all that says who may decide it. */
const kindOf = (request: RequestRecord): PendingKind => ({ policyVersion: request.policyVersion, resource: request.resource, escalated: request.escalatedAt !== null });

export interface DecisionDeps {
  store: Pick<Store, 'findRequest' | 'approve' | 'closeRequest' | 'recordEvent' | 'approvalsOf' | 'findBreakGlass' | 'pendingKinds' | 'pendingOfKind'>;
  /** The rules of the policy version a request was made under. */
  rulesOf: (version: string) => Promise<LoadedPolicy>;
  membership: Membership;
  accountOf: AccountLookup;
  notifier: Pick<Notifier, 'updateApprovalProgress' | 'closeApprovalMessage' | 'requestDecided' | 'stageReached' | 'breakGlassExtended'>;
  scheduler: Pick<Scheduler, 'scheduleGrant' | 'scheduleExtension' | 'cancelEscalation'>;
  metrics: Pick<Metrics, 'requestOutcome' | 'approvalLatency'>;
  /** The updated approval message and the requester's DM go here: the click's ack comes first. */
  messages: Pick<MessageLane, 'send'>;
  /** `pending_timeout`: how long a request waits for a decision before it lapses. */
  pendingTimeoutMs: () => number;
  clock: Clock;
  log: Log;
}

/** Approve and Deny clicks on an approval message. */
export function createDecisionService(deps: DecisionDeps) {
  const { store, clock, log } = deps;
  const accountFor = (request: RequestRecord) => deps.accountOf(request.resource, { slack_id: request.requesterId, email: request.requesterEmail });

  /** Which stages of the chain of requests of this kind name this person; throws DirectoryError. */
  async function stagesNaming(kind: PendingKind, userId: string) {
    const rules = (await deps.rulesOf(kind.policyVersion)).policy;
    const resource = rules.resources[kind.resource];
    if (!resource) return undefined;
    const stages = approvalStages(resource);
    const naming = new Set<number>();
    for (const [index, stage] of stages.entries()) {
      if (await deps.membership.names(stage.approvers, userId, rules)) naming.add(index);
    }
    // Once escalated, the `to` approvers may decide at whichever stage the request stands.
    if (kind.escalated && resource.escalation && (await deps.membership.names(resource.escalation.to, userId, rules))) {
      stages.forEach((_, index) => naming.add(index));
    }
    return { resource, stages, naming };
  }

  async function refuse(request: RequestRecord, actorId: string, decision: 'approve' | 'deny', reason: string, message: string): Promise<DecisionResult> {
    await store.recordEvent({
      at: clock.now().toMillis(),
      actor: actorId,
      action: 'decision.refused',
      subjectType: 'request',
      subjectId: request.id,
      resource: request.resource,
      reason,
      details: { decision },
    });
    return { kind: 'refused', message };
  }

  async function lookUp(request: RequestRecord, actorId: string, decision: 'approve' | 'deny') {
    try {
      return await stagesNaming(kindOf(request), actorId);
    } catch (error) {
      if (!(error instanceof DirectoryError)) throw error;
      log.warn({ err: error, requestId: request.id }, 'approver check failed closed');
      return refuse(request, actorId, decision, 'directory_error', `jitbot could not check your approver rights with Slack (${error.message}), so nothing changed. Try again in a minute.`);
    }
  }

  /** The chain naming this person, or undefined when Slack could not say (logged; nothing is shown). */
  async function chainOrNothing(kind: PendingKind, userId: string) {
    try {
      return await stagesNaming(kind, userId);
    } catch (error) {
      if (!(error instanceof DirectoryError)) throw error;
      log.warn({ err: error, resource: kind.resource, policyVersion: kind.policyVersion, userId }, 'approver check for App Home failed');
      return undefined;
    }
  }

  /**
   * The request is no longer pending: its escalation timer is dropped, and (after the click's
   * ack) its approval message is closed and the requester told.
   */
  async function settled(request: RequestRecord, outcome: RequestOutcome): Promise<void> {
    await deps.scheduler.cancelEscalation(request.id);
    deps.messages.send(async () => {
      await deps.notifier.closeApprovalMessage(request, outcome);
      await deps.notifier.requestDecided(request, outcome);
    });
  }

  return {
    /**
     * Pending requests on which this person's approval would count now, oldest first (App
     * Home's queue), however many are pending: who may decide is asked once per kind of
     * request, and only the kinds whose chain names them are read.
     */
    async waitingOn(userId: string): Promise<WaitingRequest[]> {
      const waiting: WaitingRequest[] = [];
      for (const kind of await store.pendingKinds()) {
        const chain = await chainOrNothing(kind, userId);
        if (!chain || chain.naming.size === 0) continue;
        const { resource, stages, naming } = chain;
        for (const { request, approvals } of await store.pendingOfKind(kind)) {
          if (awaitsApprovalFrom({ userId, requesterId: request.requesterId, selfApproval: resource.self_approval, stages, approvals, namingStages: naming })) {
            const { stage } = approvalProgress(stages, approvals);
            waiting.push({ request, resourceDescription: resource.description, account: accountFor(request), confirmApproval: resource.confirm_approval, stage, stages: stages.length });
          }
        }
      }
      return waiting.sort((a, b) => a.request.createdAt - b.request.createdAt || a.request.id.localeCompare(b.request.id));
    },

    /** Whether the request's chain names this person anywhere: a change to it may change their queue. */
    async concerns(request: RequestRecord, userId: string): Promise<boolean> {
      return ((await chainOrNothing(kindOf(request), userId))?.naming.size ?? 0) > 0;
    },

    async approve(input: { requestId: string; approverId: string }): Promise<DecisionResult> {
      const request = await store.findRequest(input.requestId);
      if (!request) return { kind: 'refused', message: `There is no request ${input.requestId}.` };
      if (request.status !== 'pending') return { kind: 'refused', message: alreadyDecided(request) };
      const chain = await lookUp(request, input.approverId, 'approve');
      if (chain && 'kind' in chain) return chain;
      if (!chain) return refuse(request, input.approverId, 'approve', 'resource_removed', `${request.resource} is no longer in the access policy, so it cannot be approved.`);

      const now = clock.now();
      const outcome = await store.approve({
        requestId: request.id,
        approverId: input.approverId,
        at: now.toMillis(),
        stages: chain.stages,
        approverStages: chain.naming,
        selfApproval: chain.resource.self_approval,
        maxExtensions: chain.resource.max_extensions,
        newGrant: (approved) => grantForRequest(approved, now.toMillis()),
      });
      switch (outcome.kind) {
        case 'not_found':
          return { kind: 'refused', message: `There is no request ${input.requestId}.` };
        case 'not_pending':
          return { kind: 'refused', message: alreadyDecided(outcome.request) };
        case 'refused':
          return { kind: 'refused', message: REFUSAL_TEXT[outcome.refusal] };
        case 'withdrawn':
          await settled(outcome.request, { kind: 'withdrawn', by: 'jitbot', at: now });
          return { kind: 'refused', message: WITHDRAWN_TEXT[outcome.reason] };
        case 'recorded': {
          await deps.scheduler.cancelEscalation(request.id);
          const approvals = await store.approvalsOf(request.id);
          await deps.notifier.updateApprovalProgress({
            request: outcome.request,
            resourceDescription: chain.resource.description,
            account: accountFor(outcome.request),
            confirmApproval: chain.resource.confirm_approval,
            stages: chain.stages,
            progress: outcome.progress,
            approvals,
          });
          // This approval completed its stage: the next stage's approvers are told it is their turn.
          const mine = approvals.find((a) => a.approverId === input.approverId);
          const next = chain.stages[outcome.progress.stage];
          if (mine && next && outcome.progress.stage > mine.stage) {
            const approvers = expandPrincipals((await deps.rulesOf(request.policyVersion)).policy.approver_groups, next.approvers);
            deps.messages.send(() => deps.notifier.stageReached(outcome.request, outcome.progress.stage, chain.stages.length, approvers));
          }
          return outcome;
        }
        case 'approved':
        case 'extended': {
          const { grant } = outcome;
          log.info({ requestId: request.id, grantId: grant.id, approverId: input.approverId }, outcome.kind === 'approved' ? 'request approved' : 'extension approved');
          deps.metrics.requestOutcome('approved');
          deps.metrics.approvalLatency((now.toMillis() - request.createdAt) / 1000);
          // Closing the approval message (and telling the requester) is queued before the grant is,
          // so what provisioning reports later (a failed setup under the decision) is drawn after it.
          await settled(outcome.request, { kind: 'approved', by: input.approverId, at: now });
          // A new grant is provisioned; an extended one tells its provisioner about the later end.
          const schedule = outcome.kind === 'approved' ? () => deps.scheduler.scheduleGrant(grant) : () => deps.scheduler.scheduleExtension(grant);
          await queueOrLeaveToSweep(log, { grantId: grant.id }, schedule);
          const breakGlass = outcome.kind === 'extended' ? await store.findBreakGlass(grant.id) : undefined;
          if (breakGlass) {
            const how = { kind: 'approved' as const, byMs: outcome.request.durationMs, by: input.approverId, requestId: outcome.request.id };
            deps.messages.send(() => deps.notifier.breakGlassExtended(breakGlass, grant, how));
          }
          return outcome;
        }
      }
    },

    /** `pending_timeout` passed with no decision: the request lapses, its buttons go, the requester is told. */
    async lapse(requestId: string): Promise<StepOutcome> {
      const request = await store.findRequest(requestId);
      if (!request || request.status !== 'pending') return { kind: 'skipped' };
      const now = clock.now();
      const notDue = notDueYet(lapsesAt(request, deps.pendingTimeoutMs()), now.toMillis());
      if (notDue) return notDue;
      const lapsed = await store.closeRequest(requestId, 'lapsed', 'jitbot', now.toMillis(), 'pending_timeout');
      if (!lapsed) return { kind: 'skipped' };
      log.info({ requestId }, 'request lapsed');
      deps.metrics.requestOutcome('lapsed');
      await settled(lapsed, { kind: 'lapsed', by: 'jitbot', at: now });
      return { kind: 'done' };
    },

    async deny(input: { requestId: string; approverId: string }): Promise<DecisionResult> {
      const request = await store.findRequest(input.requestId);
      if (!request) return { kind: 'refused', message: `There is no request ${input.requestId}.` };
      if (request.status !== 'pending') return { kind: 'refused', message: alreadyDecided(request) };
      if (request.requesterId === input.approverId) {
        return refuse(request, input.approverId, 'deny', 'self_decision', `To withdraw your own request, use \`/request cancel ${request.id}\`.`);
      }
      const chain = await lookUp(request, input.approverId, 'deny');
      if (chain && 'kind' in chain) return chain;
      if (!chain || chain.naming.size === 0) {
        return refuse(request, input.approverId, 'deny', 'not_an_approver', REFUSAL_TEXT.not_an_approver);
      }
      const now = clock.now();
      const denied = await store.closeRequest(request.id, 'denied', input.approverId, now.toMillis());
      if (!denied) {
        const latest = await store.findRequest(request.id) ?? request;
        return { kind: 'refused', message: alreadyDecided(latest) };
      }
      log.info({ requestId: request.id, approverId: input.approverId }, 'request denied');
      deps.metrics.requestOutcome('denied');
      await settled(denied, { kind: 'denied', by: input.approverId, at: now });
      return { kind: 'denied', request: denied };
    },
  };
}

export type DecisionService = ReturnType<typeof createDecisionService>;
