import { WebClient, type Logger, type WebClientOptions } from '@slack/web-api';

/**
 * Web API client settings shared by our client and Bolt's: base URL, retry policy (429s honour
 * Retry-After) and the logger (see slack-logger.ts), so the SDK never writes lines of its own.
 */
export function webClientOptions(apiUrl: string, retries: number, logger: Logger): WebClientOptions {
  return { slackApiUrl: apiUrl, retryConfig: { retries, factor: 2, minTimeout: 500, maxTimeout: 10_000 }, logger };
}

export function createWebClient(token: string, apiUrl: string, retries: number, logger: Logger): WebClient {
  return new WebClient(token, webClientOptions(apiUrl, retries, logger));
}
