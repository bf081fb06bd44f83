import type { LoadedPolicy } from '../config/load-policy.js';
import { escalatesAt } from '../domain/approval-chain.js';
import { expandPrincipals } from '../domain/principals.js';
import type { Clock } from '../domain/clock.js';
import { notDueYet, type StepOutcome } from '../domain/due.js';
import type { Store } from '../store/store.js';
import type { Membership } from './membership.js';
import { DirectoryError, type Log, type Notifier } from './ports.js';

/**
 * `escalation: { after, to }`: a request nobody has answered after `after` gains the `to`
 * approvers, who are told by DM and in the approval message's thread. Any decision (an
 * approval recorded, a denial, a cancel, a lapse) means somebody answered: no escalation.
 */
export function createEscalation(deps: {
  store: Pick<Store, 'findRequest' | 'approvalsOf' | 'markEscalated'>;
  /** The rules of the policy version a request was made under. */
  rulesOf: (version: string) => Promise<LoadedPolicy>;
  membership: Pick<Membership, 'members'>;
  notifier: Pick<Notifier, 'requestEscalated'>;
  clock: Clock;
  log: Log;
}) {
  const { store, log } = deps;
  return {
    async escalate(requestId: string): Promise<StepOutcome> {
      const request = await store.findRequest(requestId);
      if (!request || request.status !== 'pending' || request.escalatedAt !== null) return { kind: 'skipped' };
      if ((await store.approvalsOf(requestId)).length > 0) return { kind: 'skipped' };
      const rules = (await deps.rulesOf(request.policyVersion)).policy;
      const escalation = rules.resources[request.resource]?.escalation;
      if (!escalation) return { kind: 'skipped' };
      const now = deps.clock.now().toMillis();
      const notDue = notDueYet(escalatesAt(request, escalation), now);
      if (notDue) return notDue;
      const escalated = await store.markEscalated(requestId, escalation.to, now);
      if (!escalated) return { kind: 'skipped' };
      let people: string[] = [];
      try {
        people = await deps.membership.members(escalation.to, rules);
      } catch (error) {
        if (!(error instanceof DirectoryError)) throw error;
        log.warn({ err: error, requestId }, 'could not list the escalation approvers; telling the thread only');
      }
      log.info({ requestId, to: escalation.to }, 'request escalated');
      await deps.notifier.requestEscalated(escalated, expandPrincipals(rules.approver_groups, escalation.to), people.filter((p) => p !== escalated.requesterId));
      return { kind: 'done' };
    },
  };
}

export type Escalation = ReturnType<typeof createEscalation>;
