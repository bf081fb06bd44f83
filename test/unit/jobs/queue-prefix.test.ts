import assert from 'node:assert/strict';
import { test } from 'node:test';
import { queuePrefix } from '../../../src/jobs/queue-prefix.js';

test('the BullMQ prefix is REDIS_PREFIX as a Redis Cluster hash tag', () => {
  assert.equal(queuePrefix('jitbot'), '{jitbot}');
  assert.equal(queuePrefix('team-a_prod'), '{team-a_prod}');
});
