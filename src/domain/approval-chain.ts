import type { Policy, ResourcePolicy } from './policy.js';

/** One step of an approval chain: `approvalsRequired` distinct people from `approvers`. */
export interface Stage {
  approvers: readonly string[];
  approvalsRequired: number;
}

export interface RecordedApproval {
  approverId: string;
  stage: number;
}

export interface ApprovalProgress {
  /** The stage waiting for approvals; equals stages.length once complete. */
  stage: number;
  approvedInStage: readonly string[];
  complete: boolean;
}

export function approvalStages(resource: ResourcePolicy): Stage[] {
  if (resource.stages) {
    return resource.stages.map((s) => ({ approvers: s.approvers, approvalsRequired: s.approvals_required }));
  }
  return [{ approvers: resource.approvers ?? [], approvalsRequired: resource.approvals_required }];
}

/** Where a request stands, given the approvals recorded so far (in any order). */
export function approvalProgress(stages: readonly Stage[], approvals: readonly RecordedApproval[]): ApprovalProgress {
  for (let stage = 0; stage < stages.length; stage += 1) {
    const approvedInStage = [...new Set(approvals.filter((a) => a.stage === stage).map((a) => a.approverId))];
    const required = stages[stage]?.approvalsRequired ?? 1;
    if (approvedInStage.length < required) return { stage, approvedInStage, complete: false };
  }
  return { stage: stages.length, approvedInStage: [], complete: true };
}

export type ApprovalRefusal = 'self_approval' | 'already_approved' | 'not_an_approver';

/**
 * Whether a person may approve at the current stage. `isStageApprover` is the caller's
 * answer to "does this stage's list name them" (it may need a Slack lookup).
 */
export function approvalRefusal(args: {
  approverId: string;
  requesterId: string;
  selfApproval: boolean;
  approvals: readonly RecordedApproval[];
  isStageApprover: boolean;
}): ApprovalRefusal | undefined {
  if (args.approverId === args.requesterId && !args.selfApproval) return 'self_approval';
  if (!args.isStageApprover) return 'not_an_approver';
  if (args.approvals.some((a) => a.approverId === args.approverId)) return 'already_approved';
  return undefined;
}

/**
 * Whether a pending request waits on this person now: the stage it stands at names them
 * (`namingStages`) and their approval there would count. What App Home's queue shows.
 */
export function awaitsApprovalFrom(args: {
  userId: string;
  requesterId: string;
  selfApproval: boolean;
  stages: readonly Stage[];
  approvals: readonly RecordedApproval[];
  namingStages: ReadonlySet<number>;
}): boolean {
  const progress = approvalProgress(args.stages, args.approvals);
  if (progress.complete) return false;
  const refusal = approvalRefusal({
    approverId: args.userId,
    requesterId: args.requesterId,
    selfApproval: args.selfApproval,
    approvals: args.approvals,
    isStageApprover: args.namingStages.has(progress.stage),
  });
  return refusal === undefined;
}

/** When a request nobody has answered escalates: `escalation.after` after it was asked. */
export function escalatesAt(request: { createdAt: number }, escalation: NonNullable<ResourcePolicy['escalation']>): number {
  return request.createdAt + escalation.after.toMillis();
}

/** When a request nobody has decided lapses: `pending_timeout` after it was asked. */
export function lapsesAt(request: { createdAt: number }, pendingTimeoutMs: number): number {
  return request.createdAt + pendingTimeoutMs;
}

/** A pending request's timers: its lapse, and its escalation where its resource has one. */
export interface RequestTimers {
  id: string;
  lapseAt: number;
  escalateAt: number | undefined;
}

export function requestTimers(request: { id: string; createdAt: number }, resource: Pick<ResourcePolicy, 'escalation'> | undefined, pendingTimeoutMs: number): RequestTimers {
  const escalation = resource?.escalation;
  return { id: request.id, lapseAt: lapsesAt(request, pendingTimeoutMs), escalateAt: escalation ? escalatesAt(request, escalation) : undefined };
}

/** Each resource with `escalation`, and how long after asking its requests escalate. */
export function escalationDelays(policy: Policy): { resource: string; afterMs: number }[] {
  return Object.entries(policy.resources).flatMap(([resource, r]) => (r.escalation ? [{ resource, afterMs: r.escalation.after.toMillis() }] : []));
}
