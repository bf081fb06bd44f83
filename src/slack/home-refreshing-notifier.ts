import type { Notifier } from '../services/ports.js';
import type { HomeTab } from './home-tab.js';

/**
 * The notifier, with App Home kept current: every message that reports a change (a request,
 * a decision, access starting, extended or ending, an exception) also redraws the homes it
 * concerns: the person's own, and those of the approvers whose queue it changes. A change of
 * the access rules redraws everyone's.
 */
export function refreshingHomes(notifier: Notifier, homes: Pick<HomeTab, 'changed'>): Notifier {
  const forUser = (userId: string) => homes.changed({ users: [userId] });
  return {
    ...notifier,
    async postApprovalRequest(view) {
      const where = await notifier.postApprovalRequest(view);
      homes.changed({ requests: [view.request] });
      return where;
    },
    async updateApprovalProgress(view) {
      await notifier.updateApprovalProgress(view);
      homes.changed({ requests: [view.request] });
    },
    async closeApprovalMessage(request, outcome) {
      await notifier.closeApprovalMessage(request, outcome);
      homes.changed({ requests: [request] });
    },
    async requestEscalated(request, to, people) {
      await notifier.requestEscalated(request, to, people);
      homes.changed({ requests: [request] });
    },
    async stageReached(request, stage, total, approvers) {
      await notifier.stageReached(request, stage, total, approvers);
      homes.changed({ requests: [request] });
    },
    async accessActive(grant) {
      await notifier.accessActive(grant);
      forUser(grant.userId);
    },
    async accessExtended(grant) {
      await notifier.accessExtended(grant);
      forUser(grant.userId);
    },
    async accessEndingSoon(grant) {
      await notifier.accessEndingSoon(grant);
      forUser(grant.userId);
    },
    async accessEnded(grant, reason, by) {
      await notifier.accessEnded(grant, reason, by);
      forUser(grant.userId);
    },
    async revocationFailing(grant, error) {
      const where = await notifier.revocationFailing(grant, error);
      forUser(grant.userId);
      return where;
    },
    async provisioningFailing(grant, error, request, how) {
      await notifier.provisioningFailing(grant, error, request, how);
      forUser(grant.userId);
    },
    async provisioningFailed(grant, error, request, how) {
      await notifier.provisioningFailed(grant, error, request, how);
      forUser(grant.userId);
    },
    async provisioningRecovered(grant, request) {
      await notifier.provisioningRecovered(grant, request);
      forUser(grant.userId);
    },
    async grantedUnderException(request, grant, exception) {
      await notifier.grantedUnderException(request, grant, exception);
      forUser(grant.userId);
    },
    async postExceptionRequest(exception, description) {
      const where = await notifier.postExceptionRequest(exception, description);
      homes.changed({ exceptions: [exception] });
      return where;
    },
    async closeExceptionApproval(exception, outcome) {
      await notifier.closeExceptionApproval(exception, outcome);
      homes.changed({ exceptions: [exception] });
    },
    async exceptionClosed(exception) {
      await notifier.exceptionClosed(exception);
      forUser(exception.userId);
    },
    async policyChanged(from, to, changes) {
      await notifier.policyChanged(from, to, changes);
      homes.changed({ everyone: true });
    },
  };
}
