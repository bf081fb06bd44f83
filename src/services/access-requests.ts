import type { LoadedPolicy } from '../config/load-policy.js';
import type { ResourcePolicy } from '../domain/policy.js';
import { checkAccessAsk, pendingLimitMessage, type AccessAsk, type AskProblem, type ValidAccessAsk } from '../domain/access-rules.js';
import { approvalProgress, approvalStages, requestTimers } from '../domain/approval-chain.js';
import { resolveStart } from '../domain/start-time.js';
import type { Clock } from '../domain/clock.js';
import { err, ok, type Result } from '../domain/result.js';
import { newId } from '../store/ids.js';
import type { ExceptionRecord, GrantRecord, RequestRecord } from '../domain/records.js';
import type { Store } from '../store/store.js';
import type { Membership } from './membership.js';
import { mappedAccount } from './accounts.js';
import { DirectoryError, type AccountLookup, type Directory, type Log, type Metrics, type Notifier, type Scheduler } from './ports.js';
import { grantForRequest } from './grant-for-request.js';
import { queueOrLeaveToSweep } from './queue-or-sweep.js';
import type { RequestRefusalCode, RequestRefusals } from './request-refusals.js';

/** A form's fields as one line, as `/request` would have them. */
const typedFields = (ask: AccessAsk) => [ask.resource, ask.durationText, ask.reason].filter((part) => part !== undefined && part !== '').join(' ');

export interface AccessRequestDeps {
  store: Pick<
    Store,
    | 'createRequestWithinLimits'
    | 'grantUnderException'
    | 'setApprovalMessage'
    | 'findRequest'
    | 'closeRequest'
    | 'approvalsOf'
    | 'pendingRequestsOf'
    | 'pendingExtensionOf'
    | 'activeGrantsOf'
  >;
  policy: () => LoadedPolicy;
  membership: Membership;
  directory: Pick<Directory, 'userProfile'>;
  accountOf: AccountLookup;
  notifier: Pick<Notifier, 'postApprovalRequest' | 'closeApprovalMessage' | 'grantedUnderException'>;
  scheduler: Pick<Scheduler, 'scheduleGrant' | 'scheduleRequest' | 'cancelEscalation'>;
  metrics: Pick<Metrics, 'requestOutcome'>;
  refusals: Pick<RequestRefusals, 'refuse'>;
  clock: Clock;
  log: Log;
}

const FIELD_CODES = { resource: 'unknown_resource', durationText: 'bad_duration', reason: 'bad_reason' } as const;

/** Waiting for approvers, or granted at once under the requester's auto_approve exception. */
export type AccessAnswer =
  | { kind: 'requested'; request: RequestRecord; posted: boolean }
  | { kind: 'granted'; request: RequestRecord; grant: GrantRecord; exception: ExceptionRecord };

export interface RequestAccessInput extends AccessAsk {
  userId: string;
  /** What the person typed (the command's text), recorded with a refusal; else the fields. */
  typed?: string | undefined;
  /** Scheduled access: `22:00` or `2026-12-01T22:00`, in the requester's Slack time zone. */
  startText?: string | undefined;
}

/** Asking for access, withdrawing a request, and listing one's own requests and grants. */
export function createAccessRequestService(deps: AccessRequestDeps) {
  const { store, clock, log } = deps;

  async function postForApproval(request: RequestRecord): Promise<boolean> {
    const resource = deps.policy().policy.resources[request.resource];
    if (!resource) return false;
    const stages = approvalStages(resource);
    const approvals = await store.approvalsOf(request.id);
    const where = await deps.notifier.postApprovalRequest({
      request,
      resourceDescription: resource.description,
      account: deps.accountOf(request.resource, { slack_id: request.requesterId, email: request.requesterEmail }),
      confirmApproval: resource.confirm_approval,
      stages,
      progress: approvalProgress(stages, approvals),
      approvals,
    });
    if (!where) return false;
    await store.setApprovalMessage(request.id, where.channel, where.ts);
    return true;
  }

  /** A new request waits for its approvers: its lapse and escalation timed, counted, and posted. */
  async function awaitApprovers(request: RequestRecord, resource: ResourcePolicy): Promise<boolean> {
    const timers = requestTimers(request, resource, deps.policy().policy.settings.pending_timeout.toMillis());
    await queueOrLeaveToSweep(log, { requestId: request.id }, () => deps.scheduler.scheduleRequest(timers));
    deps.metrics.requestOutcome('requested');
    return postForApproval(request);
  }

  /** A refused request: counted, recorded (`request.refused`), and answered with `message`. */
  const refuse = <T>(input: RequestAccessInput, code: RequestRefusalCode, message: string): Result<T> =>
    deps.refusals.refuse({ userId: input.userId, resource: input.resource, typed: input.typed ?? typedFields(input), code }, message);

  /** The request form's checks, before anything is asked: a refusal is recorded as for `/request`. */
  function checkForm(input: RequestAccessInput): Result<ValidAccessAsk, AskProblem> {
    const checked = checkAccessAsk(deps.policy().policy, input);
    if (!checked.ok) refuse(input, checked.error.code ?? FIELD_CODES[checked.error.field], checked.error.message);
    return checked;
  }

  return {
    postForApproval,
    checkForm,

    async requestAccess(input: RequestAccessInput): Promise<Result<AccessAnswer>> {
      const { policy, version } = deps.policy();
      const checked = checkAccessAsk(policy, input);
      if (!checked.ok) return refuse(input, checked.error.code ?? FIELD_CODES[checked.error.field], checked.error.message);
      const { resourceName, resource, duration, reason } = checked.value;

      if (resource.requesters) {
        try {
          if (!(await deps.membership.names(resource.requesters, input.userId))) {
            return refuse(input, 'not_a_requester', `You are not on the list of people who may request ${resourceName}. Ask whoever owns the access policy to add you to its \`requesters\`.`);
          }
        } catch (error) {
          if (!(error instanceof DirectoryError)) throw error;
          log.warn({ err: error, resource: resourceName }, 'requester check failed closed');
          return refuse(input, 'requester_check_failed', `jitbot could not check with Slack whether you may request ${resourceName} (${error.message}). Nothing was requested; try again in a minute.`);
        }
      }

      const profile = await deps.directory.userProfile(input.userId).catch(() => undefined);
      const email = profile?.email ?? null;
      const mapped = mappedAccount(deps.accountOf, resourceName, { slack_id: input.userId, email }, profile !== undefined);
      if (!mapped.ok) return refuse(input, 'no_account', mapped.error);
      const now = clock.now().toMillis();
      let startsAt: number | null = null;
      if (input.startText !== undefined) {
        const start = resolveStart(input.startText, profile?.tz ?? policy.settings.timezone, now);
        if (!start.ok) return refuse(input, 'bad_start', start.error);
        startsAt = start.value;
      }
      const newRequest = {
        id: newId('req'),
        requesterId: input.userId,
        requesterEmail: email,
        resource: resourceName,
        durationMs: duration.toMillis(),
        reason,
        policyVersion: version,
        createdAt: now,
        startsAt,
      };
      // An open exception counts only while the policy still allows opting out of this resource.
      const underException = resource.opt_out?.allowed && await store.grantUnderException(newRequest, (approved, exception) => grantForRequest(approved, now, exception.id));
      if (underException) {
        const { request, grant, exception } = underException;
        log.info({ requestId: request.id, grantId: grant.id, exceptionId: exception.id }, 'request granted under an opt-out exception');
        deps.metrics.requestOutcome('granted_under_exception');
        await queueOrLeaveToSweep(log, { grantId: grant.id }, () => deps.scheduler.scheduleGrant(grant));
        await deps.notifier.grantedUnderException(request, grant, exception);
        return ok({ kind: 'granted', ...underException });
      }
      const created = await store.createRequestWithinLimits(newRequest, policy.settings);
      if (created.kind === 'limit_reached') return refuse(input, 'pending_limit', pendingLimitMessage(created.limit, policy.settings, resourceName));
      const { request } = created;
      log.info({ requestId: request.id, resource: resourceName, userId: input.userId }, 'request created');
      return ok({ kind: 'requested', request, posted: await awaitApprovers(request, resource) });
    },

    /**
     * A holder wants their grant to run longer than the policy allows without approval: a
     * request (`extends_grant_id`) that goes through the resource's approval chain like any other.
     */
    async requestExtension(input: { grant: GrantRecord; resource: ResourcePolicy; byMs: number }): Promise<Result<{ request: RequestRecord; posted: boolean }>> {
      const { grant } = input;
      const asked = await store.pendingExtensionOf(grant.id);
      if (asked) return err(`You already asked to extend \`${grant.id}\` (\`${asked.id}\`); the approvers have not decided yet.`);
      const { policy, version } = deps.policy();
      const extension = {
        id: newId('req'),
        requesterId: grant.userId,
        requesterEmail: grant.userEmail,
        resource: grant.resource,
        durationMs: input.byMs,
        reason: grant.reason,
        policyVersion: version,
        createdAt: clock.now().toMillis(),
        extendsGrantId: grant.id,
      };
      const created = await store.createRequestWithinLimits(extension, policy.settings);
      if (created.kind === 'limit_reached') return err(pendingLimitMessage(created.limit, policy.settings, grant.resource));
      const { request } = created;
      log.info({ requestId: request.id, grantId: grant.id }, 'extension requested');
      return ok({ request, posted: await awaitApprovers(request, input.resource) });
    },

    async cancel(input: { userId: string; requestId: string }): Promise<Result<RequestRecord>> {
      const request = await store.findRequest(input.requestId);
      if (!request || request.requesterId !== input.userId) {
        return err(`You have no request called ${input.requestId}. \`/request list\` shows your pending requests.`);
      }
      const at = clock.now();
      const cancelled = await store.closeRequest(request.id, 'cancelled', input.userId, at.toMillis());
      if (!cancelled) return err(`${request.id} is already ${request.status}; there is nothing to cancel.`);
      deps.metrics.requestOutcome('cancelled');
      await deps.scheduler.cancelEscalation(request.id);
      await deps.notifier.closeApprovalMessage(cancelled, { kind: 'cancelled', by: input.userId, at });
      return ok(cancelled);
    },

    async list(userId: string) {
      return { pending: await store.pendingRequestsOf(userId), active: await store.activeGrantsOf(userId) };
    },
  };
}

export type AccessRequestService = ReturnType<typeof createAccessRequestService>;
