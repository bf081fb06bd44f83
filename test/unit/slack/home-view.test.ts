import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HomeContents } from '../../../src/services/home.js';
import { homeView } from '../../../src/slack/views/home.js';
import { exceptionRow, grantRow, MINUTE, requestRow, T0 as NOW } from '../../support/rows.js';

const many = <T>(count: number, make: (n: number) => T) => Array.from({ length: count }, (_, i) => make(i + 1));
const request = (n: number) => requestRow({ id: `req-${n}`, createdAt: NOW - n * MINUTE });
const exception = (n: number) => exceptionRow({ id: `exc-${n}`, resource: `legacy-${n}` });

test('a full home stays within Slack\'s 100 blocks and says how many more there are', () => {
  const contents: HomeContents = {
    own: { active: many(30, (n) => grantRow({ id: `grt-${n}` })), pending: many(30, request), exceptions: many(10, exception) },
    waiting: { requests: many(30, (n) => ({ request: request(n), resourceDescription: '', account: { kind: 'named', identity: `login_${n}`, at: 'postgres' }, confirmApproval: true, stage: 1, stages: 2 })), exceptions: many(30, exception) },
  };
  const view = homeView(contents, { now: NOW, zone: 'Europe/Paris', notice: 'Something to say' });
  assert.ok(view.blocks.length <= 100, `${view.blocks.length} blocks`);
  const text = JSON.stringify(view.blocks);
  assert.equal(text.match(/…and 20 more/g)?.length, 4, 'waiting requests, waiting exceptions, active access, pending requests');
  assert.match(JSON.stringify(view.blocks[0]), /Something to say/, 'the notice comes first');
  assert.match(text, /Waiting on you \(60\)/);
  assert.match(text, / · stage 2 of 2 · `req-1`/, 'where in a chain of stages it waits');
  assert.match(text, /"confirm":\{"title"/, 'confirm_approval keeps its "are you sure?" in the home');
});

test('time left is whole minutes, rounded up; a grant that has not started shows its window', () => {
  const running = grantRow({ grantedAt: NOW - 30 * MINUTE - 20_000, expiresAt: NOW + 60 * MINUTE - 20_000 });
  const scheduled = grantRow({ id: 'grt-2', grantedAt: NOW + 60 * MINUTE, expiresAt: NOW + 150 * MINUTE, provisionedAt: null });
  const view = homeView({ own: { active: [running, scheduled], pending: [], exceptions: [] }, waiting: { requests: [], exceptions: [] } }, { now: NOW, zone: undefined });
  const text = JSON.stringify(view.blocks);
  assert.match(text, /\*prod-db\* until <!date\^\d+\^[^>]+> · 1 h left/, '59 min 40 s left reads 1 h');
  assert.match(text, /\*prod-db\* from <!date\^\d+\^[^>]+> until <!date\^\d+\^[^>]+> \(1 h 30 min\)/);
  assert.doesNotMatch(text, /Waiting on you/, 'no queue for someone nothing waits on');
});
