import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePolicy } from '../../../src/config/load-policy.js';
import {
  approvalProgress,
  approvalRefusal,
  approvalStages,
  awaitsApprovalFrom,
  type RecordedApproval,
  type Stage,
} from '../../../src/domain/approval-chain.js';

const policy = parsePolicy(
  `
approver_groups:
  db-leads: { users: [U0LEAD1, U0LEAD2] }
  security: { usergroup: S0SECURITY }
resources:
  single:
    channel: C0ONE
    approvers: [db-leads, U0EXTRA]
    max_duration: 1h
  two-of-n:
    channel: C0TWO
    approvers: [db-leads]
    approvals_required: 2
    max_duration: 1h
  staged:
    channel: C0STAGED
    approvers: [U0IGNORED]
    stages:
      - { approvers: [db-leads], approvals_required: 1 }
      - { approvers: [security], approvals_required: 2 }
    max_duration: 1h
`,
  'test.yaml',
).policy;

const resource = (name: string) => {
  const r = policy.resources[name];
  assert.ok(r, name);
  return r;
};

describe('approvalStages', () => {
  test('approvers without approvals_required make one stage needing one approval', () => {
    assert.deepEqual(approvalStages(resource('single')), [{ approvers: ['db-leads', 'U0EXTRA'], approvalsRequired: 1 }]);
  });

  test('approvals_required carries into the single stage', () => {
    assert.deepEqual(approvalStages(resource('two-of-n')), [{ approvers: ['db-leads'], approvalsRequired: 2 }]);
  });

  test('stages replace approvers/approvals_required, in the order written', () => {
    assert.deepEqual(approvalStages(resource('staged')), [
      { approvers: ['db-leads'], approvalsRequired: 1 },
      { approvers: ['security'], approvalsRequired: 2 },
    ]);
  });
});

describe('approvalProgress', () => {
  const twoOfN: Stage[] = [{ approvers: ['db-leads'], approvalsRequired: 2 }];
  const twoStages: Stage[] = [
    { approvers: ['db-leads'], approvalsRequired: 1 },
    { approvers: ['security'], approvalsRequired: 1 },
  ];
  const at = (approverId: string, stage = 0): RecordedApproval => ({ approverId, stage });

  test('with no approvals a request waits at the first stage', () => {
    assert.deepEqual(approvalProgress(twoOfN, []), { stage: 0, approvedInStage: [], complete: false });
  });

  test('2-of-N: one approval is not enough', () => {
    assert.deepEqual(approvalProgress(twoOfN, [at('U0LEAD1')]), { stage: 0, approvedInStage: ['U0LEAD1'], complete: false });
  });

  test('2-of-N: two different approvers complete it', () => {
    const progress = approvalProgress(twoOfN, [at('U0LEAD1'), at('U0LEAD2')]);
    assert.equal(progress.complete, true);
    assert.equal(progress.stage, 1);
  });

  test('2-of-N: the same person approving twice counts once', () => {
    assert.deepEqual(approvalProgress(twoOfN, [at('U0LEAD1'), at('U0LEAD1')]), {
      stage: 0,
      approvedInStage: ['U0LEAD1'],
      complete: false,
    });
  });

  test('two stages: the first approval moves the request to the second stage', () => {
    assert.deepEqual(approvalProgress(twoStages, [at('U0LEAD1', 0)]), { stage: 1, approvedInStage: [], complete: false });
  });

  test('two stages: an approval in each stage completes the chain', () => {
    assert.deepEqual(approvalProgress(twoStages, [at('U0LEAD1', 0), at('U0SEC1', 1)]), {
      stage: 2,
      approvedInStage: [],
      complete: true,
    });
  });

  test('two stages: an approval recorded for the second stage does not satisfy the first', () => {
    assert.deepEqual(approvalProgress(twoStages, [at('U0SEC1', 1)]), { stage: 0, approvedInStage: [], complete: false });
  });
});

describe('approvalRefusal', () => {
  const base = {
    approverId: 'U0LEAD1',
    requesterId: 'U0ALICE',
    selfApproval: false,
    approvals: [] as RecordedApproval[],
    isStageApprover: true,
  };

  test('an approver of the current stage who has not approved yet may approve', () => {
    assert.equal(approvalRefusal(base), undefined);
  });

  test('a requester may not approve their own request', () => {
    assert.equal(approvalRefusal({ ...base, approverId: 'U0ALICE' }), 'self_approval');
  });

  test('a requester may approve their own request where self_approval is on', () => {
    assert.equal(approvalRefusal({ ...base, approverId: 'U0ALICE', selfApproval: true }), undefined);
  });

  test('someone the current stage does not name is not an approver', () => {
    assert.equal(approvalRefusal({ ...base, isStageApprover: false }), 'not_an_approver');
  });

  test('a self approval by a non-approver reports self approval first', () => {
    assert.equal(approvalRefusal({ ...base, approverId: 'U0ALICE', isStageApprover: false }), 'self_approval');
  });

  test('an approver who already approved cannot approve again', () => {
    assert.equal(approvalRefusal({ ...base, approvals: [{ approverId: 'U0LEAD1', stage: 0 }] }), 'already_approved');
  });

  test('an approver who approved an earlier stage cannot approve a later one too', () => {
    assert.equal(approvalRefusal({ ...base, approvals: [{ approverId: 'U0LEAD1', stage: 0 }] }), 'already_approved');
    assert.equal(approvalRefusal({ ...base, approvals: [{ approverId: 'U0LEAD2', stage: 0 }] }), undefined);
  });
});

describe('awaitsApprovalFrom (App Home queue)', () => {
  const stages: Stage[] = [
    { approvers: ['db-leads'], approvalsRequired: 1 },
    { approvers: ['security'], approvalsRequired: 1 },
  ];
  const base = { userId: 'U0LEAD1', requesterId: 'U0ALICE', selfApproval: false, stages };

  test('waits on someone the current stage names', () => {
    assert.equal(awaitsApprovalFrom({ ...base, approvals: [], namingStages: new Set([0]) }), true);
  });

  test('not on someone named only at a later stage, until that stage is reached', () => {
    const sec = { ...base, userId: 'U0SEC' };
    assert.equal(awaitsApprovalFrom({ ...sec, approvals: [], namingStages: new Set([1]) }), false);
    assert.equal(awaitsApprovalFrom({ ...sec, approvals: [{ approverId: 'U0LEAD1', stage: 0 }], namingStages: new Set([1]) }), true);
  });

  test('not on someone who already approved, nor on the requester, nor once complete', () => {
    const approvedStage0: RecordedApproval[] = [{ approverId: 'U0LEAD1', stage: 0 }];
    assert.equal(awaitsApprovalFrom({ ...base, approvals: approvedStage0, namingStages: new Set([0, 1]) }), false);
    assert.equal(awaitsApprovalFrom({ ...base, userId: 'U0ALICE', approvals: [], namingStages: new Set([0]) }), false);
    assert.equal(awaitsApprovalFrom({ ...base, userId: 'U0ALICE', selfApproval: true, approvals: [], namingStages: new Set([0]) }), true);
    const complete: RecordedApproval[] = [...approvedStage0, { approverId: 'U0SEC', stage: 1 }];
    assert.equal(awaitsApprovalFrom({ ...base, userId: 'U0OTHER', approvals: complete, namingStages: new Set([0, 1]) }), false);
  });
});
