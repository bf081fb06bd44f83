import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { queuePrefix } from '../../src/jobs/queue-prefix.js';

export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run shares, so parallel runs and leftovers cannot collide. */
export function uniquePrefix(): string {
  return `jitbot-test-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key the bot keeps under `REDIS_PREFIX` = prefix. */
export async function dropPrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${queuePrefix(prefix)}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
