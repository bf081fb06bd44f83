import { WebClient, type WebClientOptions } from '@slack/web-api';

/** Web API client settings shared by our client and Bolt's: base URL and retry policy (429s honour Retry-After). */
export function webClientOptions(apiUrl: string, retries: number): WebClientOptions {
  return { slackApiUrl: apiUrl, retryConfig: { retries, factor: 2, minTimeout: 500, maxTimeout: 10_000 } };
}

export function createWebClient(token: string, apiUrl: string, retries: number): WebClient {
  return new WebClient(token, webClientOptions(apiUrl, retries));
}
