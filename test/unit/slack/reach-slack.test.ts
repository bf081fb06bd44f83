import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WebClient } from '@slack/web-api';
import pino from 'pino';
import { reachSlack, SlackRefusedError } from '../../../src/slack/reach-slack.js';
import { createWebClient } from '../../../src/slack/web-client.js';
import { slackLogger } from '../../../src/slack/slack-logger.js';
import { startFakeSlack } from '../../support/fake-slack.js';
import { freePort } from '../../support/free-port.js';

const log = pino({ level: 'silent' });
const client = (token: string, apiUrl: string): WebClient => createWebClient(token, apiUrl, 0, slackLogger(log, 'web-api'));

describe('reaching Slack at start-up', () => {
  test('a refused connection is told as "cannot reach Slack" and retried until Slack answers', async () => {
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}/api/`;
    const told: (string | undefined)[] = [];
    let slack: Awaited<ReturnType<typeof startFakeSlack>> | undefined;
    try {
      const answer = await reachSlack({
        call: async () => {
          if (told.length === 2) slack = await startFakeSlack({ port });
          return client('xoxb-test-token', apiUrl).auth.test();
        },
        apiUrl,
        waiting: (problem) => told.push(problem),
        signal: new AbortController().signal,
        log,
        firstDelayMs: 10,
      });
      assert.equal(answer.user_id, 'U0BOT');
      assert.deepEqual(told, [`cannot reach Slack at ${apiUrl}: connect ECONNREFUSED 127.0.0.1:${port}`, `cannot reach Slack at ${apiUrl}: connect ECONNREFUSED 127.0.0.1:${port}`, undefined]);
    } finally {
      await slack?.close();
    }
  });

  test('a token Slack refuses stops at once with its error code', async () => {
    const slack = await startFakeSlack();
    try {
      let calls = 0;
      await assert.rejects(
        reachSlack({
          call: () => {
            calls += 1;
            return client('xoxb-wrong', slack.apiUrl).auth.test();
          },
          apiUrl: slack.apiUrl,
          waiting: () => undefined,
          signal: new AbortController().signal,
          log,
          firstDelayMs: 10,
        }),
        (error: unknown) => error instanceof SlackRefusedError && error.code === 'invalid_auth',
      );
      assert.equal(calls, 1);
    } finally {
      await slack.close();
    }
  });

  test('shutting down stops the waiting', async () => {
    const apiUrl = `http://127.0.0.1:${await freePort()}/api/`;
    const stop = new AbortController();
    const waiting = reachSlack({ call: () => client('xoxb-test-token', apiUrl).auth.test(), apiUrl, waiting: () => stop.abort(), signal: stop.signal, log, firstDelayMs: 60_000 });
    await assert.rejects(waiting, { name: 'AbortError' });
  });
});
