import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Duration } from 'luxon';
import { atOnceLimitMs, extensionChoices } from '../../../src/domain/extension-rules.js';

const MINUTE = 60_000;
const resource = { max_duration: Duration.fromObject({ hours: 2 }), max_extensions: 2 };
const grant = (minutes: number, extensions = 0) => ({ grantedAt: 0, expiresAt: minutes * MINUTE, extensions });

test('extensions offered fit within max_duration from the start, with the whole room left as the last choice', () => {
  assert.deepEqual(extensionChoices(grant(30), resource).choicesMs, [15, 30, 60, 90].map((m) => m * MINUTE));
  assert.deepEqual(extensionChoices(grant(60), resource).choicesMs, [15, 30, 60].map((m) => m * MINUTE), 'an hour left is already a step');
  assert.deepEqual(extensionChoices(grant(110), resource).choicesMs, [10 * MINUTE], 'less than the smallest step: just what is left');
  assert.deepEqual(extensionChoices(grant(120), resource).choicesMs, [], 'at max_duration: nothing');
});

test('no choices once max_extensions is used up', () => {
  assert.deepEqual(extensionChoices(grant(30, 2), resource), { roomMs: 90 * MINUTE, choicesMs: [], approvalChoicesMs: [], extensionsLeft: 0 });
  assert.equal(extensionChoices(grant(30, 1), resource).extensionsLeft, 1);
});

test('beyond max_duration, the steps up to max_duration itself are offered for the approvers to decide', () => {
  assert.deepEqual(extensionChoices(grant(30), resource).approvalChoicesMs, [120 * MINUTE], 'within room: only 2 h goes beyond');
  assert.deepEqual(extensionChoices(grant(120), resource).approvalChoicesMs, [15, 30, 60, 120].map((m) => m * MINUTE), 'at max_duration: every step needs approval');
  const odd = { max_duration: Duration.fromObject({ minutes: 100 }), max_extensions: 1 };
  assert.deepEqual(extensionChoices(grant(100), odd).approvalChoicesMs, [15, 30, 60, 100].map((m) => m * MINUTE), 'max_duration itself when it is not a step');
  assert.deepEqual(extensionChoices(grant(30, 1), odd).approvalChoicesMs, [], 'max_extensions caps both kinds');
});

test('a break-glass grant extends at once only within break_glass.max_duration; beyond it, the approvers decide up to max_duration', () => {
  const pager = { ...resource, break_glass: { allowed: true, max_duration: Duration.fromObject({ minutes: 15 }) } };
  assert.equal(atOnceLimitMs(pager, false), 120 * MINUTE, 'an ordinary grant: max_duration');
  assert.equal(atOnceLimitMs(pager, true), 15 * MINUTE);
  assert.equal(atOnceLimitMs({ ...resource, break_glass: { allowed: true } }, true), 120 * MINUTE, 'no break-glass maximum: max_duration');
  assert.equal(atOnceLimitMs({ ...resource, break_glass: { allowed: false } }, true), 0, 'break-glass no longer allowed: nothing at once');
  assert.equal(atOnceLimitMs(resource, true), 0);
  const choices = extensionChoices(grant(10), pager, atOnceLimitMs(pager, true));
  assert.deepEqual([choices.choicesMs, choices.approvalChoicesMs], [[5 * MINUTE], [15, 30, 60, 120].map((m) => m * MINUTE)]);
});
