import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicy } from '../../../src/config/load-policy.js';
import { breakGlassAskers, checkBreakGlassAsk } from '../../../src/domain/break-glass-rules.js';

const { policy } = parsePolicy(
  `
approver_groups:
  db-leads: { users: [U0LEAD1] }
resources:
  payments:
    channel: C0PAY
    approvers: [db-leads]
    requesters: [U0DEV1]
    max_duration: 2h
    reason_pattern: "INC-[0-9]+"
    break_glass: { allowed: true, eligible: [db-leads], max_duration: 1h }
  wiki:
    channel: C0WIKI
    approvers: [db-leads]
    max_duration: 4h
    break_glass: { allowed: true }
  ledger:
    channel: C0LEDGER
    approvers: [db-leads]
    max_duration: 1h
    break_glass: { allowed: false }
`,
  'bg.yaml',
);

const ask = (resource: string, durationText: string | undefined, reason = 'checkout is down') => checkBreakGlassAsk(policy, { resource, durationText, reason });

test('a duration over the break-glass maximum is cut to it, not refused; none asked means the maximum', () => {
  const capped = ask('payments', '3h');
  assert.ok(capped.ok);
  assert.deepEqual([capped.value.duration.toMillis(), capped.value.capped], [3_600_000, true]);
  const within = ask('payments', '20m');
  assert.ok(within.ok);
  assert.deepEqual([within.value.duration.toMillis(), within.value.capped], [1_200_000, false]);
  const unsaid = ask('wiki', undefined);
  assert.ok(unsaid.ok);
  assert.equal(unsaid.value.duration.toMillis(), 4 * 3_600_000, 'without break_glass.max_duration: the resource maximum');
});

test('a reason is required, but not the reason_pattern: an incident may have no ticket yet', () => {
  assert.ok(ask('payments', '10m', 'no ticket yet').ok);
  const none = ask('payments', '10m', '  ');
  assert.ok(!none.ok);
  assert.equal(none.error.field, 'reason');
  assert.match(none.error.message, /say why you need break-glass access/);
});

test('not allowed, unknown resources and bad durations are refused with how to fix it', () => {
  const ledger = ask('ledger', '10m');
  assert.ok(!ledger.ok);
  assert.match(ledger.error.message, /ledger does not allow break-glass access.*`\/request ledger <duration> <reason>`/);
  const unknown = ask('nope', '10m');
  assert.ok(!unknown.ok);
  assert.equal(unknown.error.field, 'resource');
  const negative = ask('payments', '-5m');
  assert.ok(!negative.ok);
  assert.equal(negative.error.field, 'durationText');
  const endless = ask('payments', 'forever');
  assert.ok(!endless.ok);
  assert.match(endless.error.message, /"forever" is not a duration\. Write it like `30m`, `2h`, `1h30m` or `1d` \(break-glass on payments allows at most 1 h\)/);
});

test('who may break the glass: eligible, else whoever may request the resource', () => {
  const payments = policy.resources['payments'];
  const wiki = policy.resources['wiki'];
  assert.ok(payments?.break_glass && wiki?.break_glass);
  assert.deepEqual(breakGlassAskers(payments, payments.break_glass), ['db-leads']);
  assert.equal(breakGlassAskers(wiki, wiki.break_glass), undefined, 'no requesters either: anyone in the workspace');
});
