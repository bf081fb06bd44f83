import type { LoadedPolicy } from '../config/load-policy.js';
import type { AccessAsk } from '../domain/access-rules.js';
import type { Clock } from '../domain/clock.js';
import { checkOptOutAsk, optOutAskers } from '../domain/opt-out-rules.js';
import { err, ok, type Result } from '../domain/result.js';
import { newId } from '../store/ids.js';
import type { ExceptionRecord, GrantRecord } from '../domain/records.js';
import type { Store } from '../store/store.js';
import { createRefusals } from './refusals.js';
import type { ExceptionLifecycle } from './exception-lifecycle.js';
import type { Membership } from './membership.js';
import type { MessageLane } from './message-lane.js';
import { DirectoryError, type Directory, type Log, type Notifier, type Scheduler } from './ports.js';
import { queueOrLeaveToSweep } from './queue-or-sweep.js';

export type ExceptionDecision =
  | { kind: 'approved'; exception: ExceptionRecord; standingGrant: GrantRecord | undefined }
  | { kind: 'denied'; exception: ExceptionRecord }
  | { kind: 'refused'; message: string };

export interface OptOutDeps {
  store: Pick<
    Store,
    | 'createException'
    | 'findException'
    | 'openException'
    | 'denyException'
    | 'setExceptionApprovalMessage'
    | 'liveExceptionsOf'
    | 'pendingExceptionResources'
    | 'pendingExceptionsOn'
    | 'recordEvent'
  >;
  policy: () => LoadedPolicy;
  membership: Membership;
  directory: Pick<Directory, 'userProfile'>;
  notifier: Pick<Notifier, 'postExceptionRequest' | 'exceptionRequested' | 'closeExceptionApproval' | 'exceptionDecided'>;
  scheduler: Pick<Scheduler, 'scheduleException' | 'scheduleGrant'>;
  lifecycle: Pick<ExceptionLifecycle, 'close'>;
  /** The decided approval message and the person's DM go here: the click's ack comes first. */
  messages: Pick<MessageLane, 'send'>;
  clock: Clock;
  log: Log;
}

function alreadyDecided(exception: ExceptionRecord): string {
  const who = exception.decidedBy ? ` by <@${exception.decidedBy}>` : '';
  return `This exception was already ${exception.status === 'open' ? 'approved' : exception.status}${who}; nothing changed.`;
}

/**
 * Opt-out exceptions: asking for one, approving or denying it, ending it early, listing
 * one's own. Who may ask and who may decide come from the resource's `opt_out` policy.
 */
export function createOptOutService(deps: OptOutDeps) {
  const { store, clock, log } = deps;

  const { refuse } = createRefusals(deps);

  /** Whether the current policy lets this person decide on (or end) exceptions for this resource; else why not. */
  async function mayDecide(exception: Pick<ExceptionRecord, 'resource'> & { id?: string }, userId: string): Promise<Result<true, { reason: string; message: string }>> {
    const optOut = deps.policy().policy.resources[exception.resource]?.opt_out;
    if (!optOut?.allowed || !optOut.approvers) {
      return err({ reason: 'opt_out_not_allowed', message: `${exception.resource} no longer allows opt-out exceptions in the access policy, so nothing changed.` });
    }
    try {
      if (await deps.membership.names(optOut.approvers, userId)) return ok(true);
    } catch (error) {
      if (!(error instanceof DirectoryError)) throw error;
      log.warn({ err: error, exceptionId: exception.id, resource: exception.resource }, 'exception approver check failed closed');
      return err({ reason: 'directory_error', message: `jitbot could not check your rights with Slack (${error.message}), so nothing changed. Try again in a minute.` });
    }
    return err({ reason: 'not_an_approver', message: `Only the opt-out approvers of ${exception.resource} may decide on or end its exceptions; nothing changed.` });
  }

  /** Ending an open exception early: its opt-out approvers, or the security team. */
  async function mayEnd(exception: ExceptionRecord, userId: string): Promise<Result<true, { reason: string; message: string }>> {
    const decider = await mayDecide(exception, userId);
    if (decider.ok || decider.error.reason === 'directory_error') return decider;
    const security = await deps.membership.securityOnly(userId, `end exceptions of ${exception.resource}`);
    if (security.ok || security.error.reason === 'directory_error') return security;
    return decider.error.reason === 'not_an_approver'
      ? err({ reason: 'not_an_approver', message: `Only the opt-out approvers of ${exception.resource} or the security team may end its exceptions; nothing changed.` })
      : decider;
  }

  async function postForApproval(exception: ExceptionRecord): Promise<boolean> {
    const resource = deps.policy().policy.resources[exception.resource];
    if (!resource) return false;
    const where = await deps.notifier.postExceptionRequest(exception, resource.description);
    if (!where) return false;
    await store.setExceptionApprovalMessage(exception.id, where.channel, where.ts);
    return true;
  }

  async function decide(input: { exceptionId: string; approverId: string }, decision: 'approve' | 'deny'): Promise<Result<ExceptionRecord>> {
    const exception = await store.findException(input.exceptionId);
    if (!exception) return err(`There is no exception ${input.exceptionId}.`);
    if (exception.status !== 'pending') return err(alreadyDecided(exception));
    const allowed = await mayDecide(exception, input.approverId);
    if (!allowed.ok) {
      await store.recordEvent({
        at: clock.now().toMillis(),
        actor: input.approverId,
        action: 'decision.refused',
        subjectType: 'exception',
        subjectId: exception.id,
        resource: exception.resource,
        reason: allowed.error.reason,
        details: { decision },
      });
      return err(allowed.error.message);
    }
    return ok(exception);
  }

  return {
    postForApproval,

    /**
     * Exceptions waiting for this person's decision, oldest first (App Home's queue), however
     * many are pending; never their own. Who decides is asked once per resource.
     */
    async waitingOn(userId: string): Promise<ExceptionRecord[]> {
      const waiting: ExceptionRecord[] = [];
      for (const resource of await store.pendingExceptionResources()) {
        if (!(await mayDecide({ resource }, userId)).ok) continue;
        waiting.push(...(await store.pendingExceptionsOn(resource)).filter((exception) => exception.userId !== userId));
      }
      return waiting.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    },

    /** Whether a change to this exception may change what this person's App Home shows. */
    async concerns(exception: ExceptionRecord, userId: string): Promise<boolean> {
      return exception.userId === userId || (await mayDecide(exception, userId)).ok;
    },

    async requestException(input: AccessAsk & { userId: string }): Promise<Result<{ exception: ExceptionRecord; posted: boolean }>> {
      const { policy, version } = deps.policy();
      const asker = { type: 'user' as const, id: input.userId };
      const refused = (reason: string, message: string) => refuse<never>({ actor: input.userId, action: 'exception.refused', subject: asker, resource: input.resource, reason }, message);
      const checked = checkOptOutAsk(policy, input);
      if (!checked.ok) return refused('invalid_ask', checked.error.message);
      const { resourceName, resource, optOut, duration, reason } = checked.value;

      const askers = optOutAskers(resource, optOut);
      if (askers) {
        try {
          if (!(await deps.membership.names(askers, input.userId))) {
            return refused('not_eligible', `You are not eligible for opt-out exceptions on ${resourceName}. Ask for access with \`/request ${resourceName} <duration> <reason>\`, or ask whoever owns the access policy about \`opt_out.eligible\`.`);
          }
        } catch (error) {
          if (!(error instanceof DirectoryError)) throw error;
          log.warn({ err: error, resource: resourceName }, 'opt-out eligibility check failed closed');
          return refused('directory_error', `jitbot could not check with Slack whether you may ask for an exception on ${resourceName} (${error.message}). Nothing was asked; try again in a minute.`);
        }
      }

      const email = await deps.directory.userProfile(input.userId).then(
        (profile) => profile.email,
        () => null,
      );
      const created = await store.createException({
        id: newId('exc'),
        userId: input.userId,
        userEmail: email,
        resource: resourceName,
        mode: optOut.mode,
        durationMs: duration.toMillis(),
        reason,
        policyVersion: version,
        createdAt: clock.now().toMillis(),
      });
      if (created.kind === 'duplicate') {
        const { existing } = created;
        const state = existing.status === 'open' ? 'is open' : 'is waiting for approval';
        return refused('duplicate', `You already have an exception for ${resourceName} (\`${existing.id}\`) that ${state}. One at a time: \`/request list\` shows it.`);
      }
      const { exception } = created;
      log.info({ exceptionId: exception.id, resource: resourceName, userId: input.userId, mode: exception.mode }, 'exception requested');
      const posted = await postForApproval(exception);
      await deps.notifier.exceptionRequested(exception);
      return ok({ exception, posted });
    },

    async approve(input: { exceptionId: string; approverId: string }): Promise<ExceptionDecision> {
      const checked = await decide(input, 'approve');
      if (!checked.ok) return { kind: 'refused', message: checked.error };
      const now = clock.now();
      const outcome = await store.openException({
        id: input.exceptionId,
        approverId: input.approverId,
        at: now.toMillis(),
        newGrant: (opened) => ({
          id: newId('grt'),
          requestId: null,
          exceptionId: opened.id,
          userId: opened.userId,
          userEmail: opened.userEmail,
          resource: opened.resource,
          reason: opened.reason,
          grantedAt: now.toMillis(),
          expiresAt: now.toMillis() + opened.durationMs,
        }),
      });
      switch (outcome.kind) {
        case 'not_found':
          return { kind: 'refused', message: `There is no exception ${input.exceptionId}.` };
        case 'not_pending':
          return { kind: 'refused', message: alreadyDecided(outcome.exception) };
        case 'self_approval':
          return { kind: 'refused', message: 'You cannot approve your own exception. Another opt-out approver has to decide.' };
        case 'opened': {
          const { exception, standingGrant } = outcome;
          log.info({ exceptionId: exception.id, approverId: input.approverId, grantId: standingGrant?.id }, 'exception opened');
          if (exception.opensAt === null || exception.endsAt === null) throw new Error(`opened exception ${exception.id} has no window`);
          const window = { id: exception.id, opensAt: exception.opensAt, endsAt: exception.endsAt };
          await queueOrLeaveToSweep(log, { exceptionId: exception.id }, () => deps.scheduler.scheduleException(window));
          if (standingGrant) await queueOrLeaveToSweep(log, { grantId: standingGrant.id }, () => deps.scheduler.scheduleGrant(standingGrant));
          const decided = { kind: 'approved' as const, by: input.approverId, at: now };
          deps.messages.send(async () => {
            await deps.notifier.closeExceptionApproval(exception, decided);
            await deps.notifier.exceptionDecided(exception, decided);
          });
          return { kind: 'approved', exception, standingGrant };
        }
      }
    },

    async deny(input: { exceptionId: string; approverId: string }): Promise<ExceptionDecision> {
      const checked = await decide(input, 'deny');
      if (!checked.ok) return { kind: 'refused', message: checked.error };
      const now = clock.now();
      const denied = await store.denyException(input.exceptionId, input.approverId, now.toMillis());
      if (!denied) return { kind: 'refused', message: alreadyDecided(await store.findException(input.exceptionId) ?? checked.value) };
      log.info({ exceptionId: denied.id, approverId: input.approverId }, 'exception denied');
      const decided = { kind: 'denied' as const, by: input.approverId, at: now };
      deps.messages.send(async () => {
        await deps.notifier.closeExceptionApproval(denied, decided);
        await deps.notifier.exceptionDecided(denied, decided);
      });
      return { kind: 'denied', exception: denied };
    },

    /** `revoke exc-…`: an opt-out approver closes an open exception now. */
    async revoke(input: { actorId: string; exceptionId: string }): Promise<Result<ExceptionRecord>> {
      const exception = await store.findException(input.exceptionId);
      if (!exception || exception.status !== 'open') {
        return err(`There is no open exception ${input.exceptionId}. Exception IDs look like exc-7fk2m9qa3d.`);
      }
      const allowed = await mayEnd(exception, input.actorId);
      if (!allowed.ok) {
        const subject = { type: 'exception' as const, id: exception.id };
        return refuse({ actor: input.actorId, action: 'revoke.refused', subject, resource: exception.resource, reason: allowed.error.reason }, allowed.error.message);
      }
      const closed = await deps.lifecycle.close(exception.id, 'revoked', input.actorId);
      return closed.kind === 'done' ? ok(closed.exception) : err(`${exception.id} is already closed.`);
    },

    list: async (userId: string) => await store.liveExceptionsOf(userId),
  };
}

export type OptOutService = ReturnType<typeof createOptOutService>;
