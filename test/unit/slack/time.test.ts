import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slackTime } from '../../../src/slack/views/time.js';

const SUMMER = Date.UTC(2026, 6, 1, 12, 30);
const WINTER = Date.UTC(2026, 0, 15, 12, 30);

test('a Slack date token with a fallback in the reader’s zone, daylight saving included', () => {
  assert.equal(slackTime(SUMMER, 'Europe/Paris'), `<!date^${SUMMER / 1000}^{date_short_pretty} at {time}|Wed, 1 Jul 2026, 14:30 CEST>`);
  assert.match(slackTime(WINTER, 'Europe/Paris'), /\|Thu, 15 Jan 2026, 13:30 CET>$/);
  assert.match(slackTime(WINTER, 'America/New_York'), /\|Thu, 15 Jan 2026, 07:30 (EST|GMT-5)>$/);
});

test('an unknown or missing zone falls back to UTC', () => {
  assert.match(slackTime(WINTER, 'Mars/Olympus_Mons'), /\|Thu, 15 Jan 2026, 12:30 UTC>$/);
  assert.match(slackTime(WINTER, undefined), /\|Thu, 15 Jan 2026, 12:30 UTC>$/);
});
