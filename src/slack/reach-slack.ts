import { setTimeout as sleep } from 'node:timers/promises';
import { rootCause } from '../error-message.js';
import type { Log } from '../services/ports.js';
import { isRateLimited, slackErrorCode } from './slack-retry.js';

/** Slack answered and said no (`invalid_auth`, `token_revoked`, …): retrying cannot help. */
export class SlackRefusedError extends Error {
  override readonly name = 'SlackRefusedError';
  constructor(readonly code: string) {
    super(`Slack refused: ${code}`);
  }
}

export interface ReachSlackOptions<T> {
  /** The start-up call (`auth.test`), made once per attempt: the loop here is its only retry. */
  call: () => Promise<T>;
  apiUrl: string;
  /** Told what is wrong while Slack cannot be reached, and `undefined` once it answered. */
  waiting: (problem: string | undefined) => void;
  /** Stops waiting (shutdown): the promise rejects with the abort reason. */
  signal: AbortSignal;
  log: Log;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Calls Slack until it answers. No route, a refused connection, a timeout or an HTTP error is
 * "cannot reach Slack", logged and retried with doubling delays (so is a rate limit); any
 * other answer saying no (`ok: false`) rejects with SlackRefusedError at once.
 */
export async function reachSlack<T>(options: ReachSlackOptions<T>): Promise<T> {
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  let delayMs = options.firstDelayMs ?? 1_000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const answer = await options.call();
      options.waiting(undefined);
      return answer;
    } catch (error) {
      const refusal = slackErrorCode(error);
      if (refusal !== undefined && !isRateLimited(refusal)) throw new SlackRefusedError(refusal);
      const problem = `cannot reach Slack at ${options.apiUrl}: ${rootCause(error)}`;
      options.waiting(problem);
      options.log.warn({ attempt, retryInMs: delayMs }, problem);
    }
    await sleep(delayMs, undefined, { signal: options.signal });
    delayMs = Math.min(delayMs * 2, maxDelayMs);
  }
}
