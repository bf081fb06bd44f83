import { errorMessage } from '../error-message.js';

export type HealthCheck = () => Promise<void>;

export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, 'ok' | string>;
}

/** Runs every check (each bounded by `timeoutMs`) and names the ones that fail. */
export async function checkHealth(checks: Record<string, HealthCheck>, timeoutMs = 1_000): Promise<HealthReport> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([check(), timeout]);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, `error: ${errorMessage(error)}`] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const checksByName = Object.fromEntries(results);
  return { status: results.every(([, r]) => r === 'ok') ? 'ok' : 'unavailable', checks: checksByName };
}
