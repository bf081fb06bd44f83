import type { LoadedPolicy } from '../config/load-policy.js';
import { expandPrincipals } from '../domain/principals.js';
import type { Clock } from '../domain/clock.js';
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
  rulesOf: (version: string) => LoadedPolicy;
  membership: Pick<Membership, 'members'>;
  notifier: Pick<Notifier, 'requestEscalated'>;
  clock: Clock;
  log: Log;
}) {
  const { store, log } = deps;
  return {
    async escalate(requestId: string): Promise<boolean> {
      const request = store.findRequest(requestId);
      if (!request || request.status !== 'pending' || request.escalatedAt !== null) return false;
      if (store.approvalsOf(requestId).length > 0) return false;
      const rules = deps.rulesOf(request.policyVersion).policy;
      const escalation = rules.resources[request.resource]?.escalation;
      if (!escalation) return false;
      const escalated = store.markEscalated(requestId, escalation.to, deps.clock.now().toMillis());
      if (!escalated) return false;
      let people: string[] = [];
      try {
        people = await deps.membership.members(escalation.to, rules);
      } catch (error) {
        if (!(error instanceof DirectoryError)) throw error;
        log.warn({ err: error, requestId }, 'could not list the escalation approvers; telling the thread only');
      }
      log.info({ requestId, to: escalation.to }, 'request escalated');
      await deps.notifier.requestEscalated(escalated, expandPrincipals(rules.approver_groups, escalation.to), people.filter((p) => p !== escalated.requesterId));
      return true;
    },
  };
}

export type Escalation = ReturnType<typeof createEscalation>;
