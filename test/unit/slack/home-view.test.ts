import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HomeContents } from '../../../src/services/home.js';
import type { ExceptionRow, GrantRow, RequestRow } from '../../../src/store/schema.js';
import { homeView } from '../../../src/slack/views/home.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const MINUTE = 60_000;

const request = (n: number): RequestRow => ({
  id: `req-${n}`, requesterId: 'U0ALICE', requesterEmail: null, resource: 'prod-db', durationMs: 30 * MINUTE, reason: `INC-${n}`,
  status: 'pending', policyVersion: 'v1', createdAt: NOW - n * MINUTE, decidedAt: null, decidedBy: null, approvalChannel: null,
  approvalTs: null, escalatedAt: null, startsAt: null, extendsGrantId: null,
});
const grant = (n: number, grantedAt = NOW - MINUTE, provisionedAt: number | null = grantedAt): GrantRow => ({
  id: `grt-${n}`, requestId: null, exceptionId: null, userId: 'U0ALICE', userEmail: null, resource: 'prod-db', reason: 'r',
  grantedAt, expiresAt: grantedAt + 90 * MINUTE, status: 'active', provisionedAt, provisionError: null,
  endRequestedReason: null, endRequestedBy: null, revokeReason: null, revokedAt: null, revokedBy: null, revokeError: null,
  warnedAt: null, extensions: 0,
});
const exception = (n: number): ExceptionRow => ({
  id: `exc-${n}`, userId: 'U0BOB', userEmail: null, resource: `legacy-${n}`, mode: 'auto_approve', durationMs: 24 * 60 * MINUTE,
  reason: 'batch', status: 'pending', policyVersion: 'v1', createdAt: NOW, decidedAt: null, decidedBy: null, opensAt: null,
  endsAt: null, warnedAt: null, closeReason: null, closedAt: null, closedBy: null, approvalChannel: null, approvalTs: null,
});
const many = <T>(count: number, make: (n: number) => T) => Array.from({ length: count }, (_, i) => make(i + 1));

test('a full home stays within Slack\'s 100 blocks and says how many more there are', () => {
  const contents: HomeContents = {
    own: { active: many(30, (n) => grant(n)), pending: many(30, request), exceptions: many(10, exception) },
    waiting: { requests: many(30, (n) => ({ request: request(n), resourceDescription: '', confirmApproval: true })), exceptions: many(30, exception) },
  };
  const view = homeView(contents, { now: NOW, zone: 'Europe/Paris', notice: 'Something to say' });
  assert.ok(view.blocks.length <= 100, `${view.blocks.length} blocks`);
  const text = JSON.stringify(view.blocks);
  assert.equal(text.match(/…and 20 more/g)?.length, 4, 'waiting requests, waiting exceptions, active access, pending requests');
  assert.match(JSON.stringify(view.blocks[0]), /Something to say/, 'the notice comes first');
  assert.match(text, /Waiting on you \(60\)/);
  assert.match(text, /"confirm":\{"title"/, 'confirm_approval keeps its "are you sure?" in the home');
});

test('time left is whole minutes, rounded up; a grant that has not started shows its window', () => {
  const running = grant(1, NOW - 30 * MINUTE - 20_000);
  const scheduled = grant(2, NOW + 60 * MINUTE, null);
  const view = homeView({ own: { active: [running, scheduled], pending: [], exceptions: [] }, waiting: { requests: [], exceptions: [] } }, { now: NOW, zone: undefined });
  const text = JSON.stringify(view.blocks);
  assert.match(text, /\*prod-db\* until <!date\^\d+\^[^>]+> · 1 h left/, '59 min 40 s left reads 1 h');
  assert.match(text, /\*prod-db\* from <!date\^\d+\^[^>]+> until <!date\^\d+\^[^>]+> \(1 h 30 min\)/);
  assert.doesNotMatch(text, /Waiting on you/, 'no queue for someone nothing waits on');
});
