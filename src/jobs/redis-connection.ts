import { Redis, type RedisOptions } from 'ioredis';
import { REDIS_URL_DEFAULT, type Env, type SentinelAddress } from '../config/env.js';

/** Where Redis is: one URL, or the master the Sentinels name (which moves on failover). */
export type RedisSettings = { kind: 'url'; url: string } | { kind: 'sentinel'; sentinels: readonly SentinelAddress[]; name: string };

/** What a connection is for, which decides how it behaves while Redis is away. */
export type RedisPurpose = 'producer' | 'worker' | 'cli';

export function redisSettings(env: Pick<Env, 'REDIS_URL' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME'>): RedisSettings {
  return env.REDIS_SENTINELS === undefined
    ? { kind: 'url', url: env.REDIS_URL ?? REDIS_URL_DEFAULT }
    : { kind: 'sentinel', sentinels: env.REDIS_SENTINELS, name: env.REDIS_SENTINEL_NAME };
}

/** The variable and the place a start-up error names: `REDIS_URL: … at redis://…`. */
export function describeRedis(settings: RedisSettings): string {
  if (settings.kind === 'url') return `REDIS_URL: cannot reach Redis at ${settings.url}`;
  const addresses = settings.sentinels.map((s) => (s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`)).join(',');
  return `REDIS_SENTINELS: cannot reach the Redis master ${settings.name} through the Sentinels ${addresses}`;
}

const BEHAVIOUR: Record<RedisPurpose, RedisOptions> = {
  // Producers fail fast when Redis is down (Slack's 3 s); the sweep re-creates what they could not add.
  producer: { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
  // BullMQ's worker requires it: it waits and retries forever.
  worker: { maxRetriesPerRequest: null },
  // A one-shot command: connects when told, and does not wait for a Redis that is not there.
  cli: { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true },
};

/**
 * A master demoted to replica answers writes with READONLY until the client reconnects and
 * asks the Sentinels again; reconnecting (without resending) lets the caller's retry land on
 * the new master.
 */
const reconnectWhenReadOnly = (error: Error) => error.message.startsWith('READONLY');

/** The one place jitbot opens Redis: REDIS_URL, or through Sentinel (following the master across failovers). */
export function redisConnection(settings: RedisSettings, purpose: RedisPurpose): Redis {
  const options: RedisOptions = { ...BEHAVIOUR[purpose], reconnectOnError: reconnectWhenReadOnly };
  if (settings.kind === 'url') return new Redis(settings.url, options);
  // failoverDetector: the Sentinels' +switch-master drops the connection at once, even to a master that is still up.
  return new Redis({ ...options, sentinels: settings.sentinels.map((s) => ({ ...s })), name: settings.name, failoverDetector: true });
}
