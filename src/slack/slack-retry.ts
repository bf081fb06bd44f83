import { setTimeout as sleep } from 'node:timers/promises';

/** Slack's error code on a failed call (`channel_not_found`, `rate_limited`, …), if it gave one. */
export function slackErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('data' in error)) return undefined;
  const data: unknown = error.data;
  if (typeof data !== 'object' || data === null || !('error' in data)) return undefined;
  return typeof data.error === 'string' ? data.error : undefined;
}

const RATE_LIMITED = new Set(['rate_limited', 'ratelimited']);

/** Slack's `ok:false` answer for too many calls: worth retrying, unlike its other errors. */
export const isRateLimited = (code: string): boolean => RATE_LIMITED.has(code);

/**
 * HTTP 429s are retried by the Web API client itself (it honours Retry-After). Slack also
 * reports rate limits as `ok:false, error:"rate_limited"` with HTTP 200: retry those here.
 */
export async function withSlackRetry<T>(call: () => Promise<T>, attempts = 3, delayMs = 1_000): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const code = slackErrorCode(error);
      if (attempt >= attempts || code === undefined || !isRateLimited(code)) throw error;
      await sleep(delayMs * attempt);
    }
  }
}
