/**
 * BullMQ's key prefix for `REDIS_PREFIX`: the name in braces, a Redis Cluster hash tag, so every
 * key of every queue (and the keys jitbot builds beside them) hashes to one slot, as BullMQ's
 * Lua scripts need on a Cluster. Deliberately not an ioredis `keyPrefix`, which BullMQ does not support.
 */
export function queuePrefix(redisPrefix: string): string {
  return `{${redisPrefix}}`;
}
