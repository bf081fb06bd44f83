import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePolicy } from '../../../src/config/load-policy.js';
import type { AccessAsk } from '../../../src/domain/access-rules.js';
import { checkOptOutAsk, optOutAskers } from '../../../src/domain/opt-out-rules.js';
import { reminderAt as exceptionReminderAt } from '../../../src/domain/reminder.js';

const policy = parsePolicy(
  `
approver_groups:
  db-leads: { users: [U0LEAD1] }
  security: { usergroup: S0SECURITY }
resources:
  prod-db:
    channel: C0DB
    approvers: [db-leads]
    requesters: [U0ALICE]
    max_duration: 2h
    reason_pattern: "INC-[0-9]+"
    opt_out: { allowed: true, approvers: [security], max_duration: 7d, mode: standing }
  wiki:
    channel: C0WIKI
    approvers: [db-leads]
    max_duration: 1h
    opt_out: { allowed: true, eligible: [db-leads], approvers: [security], max_duration: 1d }
  kiosk:
    channel: C0KIOSK
    approvers: [db-leads]
    max_duration: 1h
    opt_out: { max_duration: 1d }
  plain:
    channel: C0PLAIN
    approvers: [db-leads]
    max_duration: 1h
`,
  'test.yaml',
).policy;

const ask = (overrides: Partial<AccessAsk>): AccessAsk => ({ resource: 'prod-db', durationText: '3d', reason: 'incident INC-9', ...overrides });
const refusal = (overrides: Partial<AccessAsk>) => {
  const result = checkOptOutAsk(policy, ask(overrides));
  assert.equal(result.ok, false);
  return result.ok ? '' : result.error.message;
};

describe('checkOptOutAsk', () => {
  test('a window within the opt-out max_duration (not the resource’s) is accepted, with the mode', () => {
    const result = checkOptOutAsk(policy, ask({}));
    assert.ok(result.ok);
    assert.equal(result.value.duration.toMillis(), 3 * 86_400_000);
    assert.equal(result.value.optOut.mode, 'standing');
    assert.equal(checkOptOutAsk(policy, ask({ durationText: '7d' })).ok, true, 'exactly max_duration');
  });

  test('no opt_out, or allowed left false, is refused and points to an ordinary request', () => {
    assert.match(refusal({ resource: 'plain', reason: 'x' }), /plain does not allow opt-out exceptions.*`\/request plain <duration> <reason>`/);
    assert.match(refusal({ resource: 'kiosk', reason: 'x' }), /kiosk does not allow opt-out exceptions/);
  });

  test('limits and reasons are explained with the command to type', () => {
    assert.match(refusal({ durationText: '8d' }), /8 d is longer than an opt-out exception for prod-db allows: at most 7 d\. Ask for 7d or less/);
    assert.match(refusal({ durationText: undefined }), /Say how long the exception should last \(at most 7 d\), e\.g\. `\/request optout prod-db 7d <reason>`/);
    assert.match(refusal({ durationText: '0' }), /grants nothing/);
    assert.match(refusal({ durationText: '2x' }), /not a duration/);
    assert.match(refusal({ durationText: 'forever' }), /"forever" is not a duration\. Write it like `30m`, `2h`, `1h30m` or `1d` \(an opt-out exception for prod-db allows at most 7 d\)/);
    assert.match(refusal({ reason: '  ' }), /Please say why you need an exception/);
    assert.match(refusal({ reason: 'no ticket' }), /contains a match for `INC-\[0-9\]\+`/);
    assert.match(refusal({ resource: 'nope' }), /no resource called "nope"/);
  });
});

describe('who may ask', () => {
  test('eligible when set, else whoever may request the resource (absent: anyone)', () => {
    const of = (name: string) => {
      const r = policy.resources[name];
      assert.ok(r?.opt_out);
      return optOutAskers(r, r.opt_out);
    };
    assert.deepEqual(of('wiki'), ['db-leads']);
    assert.deepEqual(of('prod-db'), ['U0ALICE']);
    assert.equal(of('kiosk'), undefined);
  });
});

describe('exceptionReminderAt', () => {
  const window = { opensAt: 0, endsAt: 3_600_000 };
  test('the lead before the end', () => assert.equal(exceptionReminderAt(window, 600_000), 3_000_000));
  test('none when warnings are off or the window is no longer than the lead', () => {
    assert.equal(exceptionReminderAt(window, 0), undefined);
    assert.equal(exceptionReminderAt(window, 3_600_000), undefined);
  });
});
