import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MinimalJob } from 'bullmq';
import { PERMANENT_BACKOFF_FACTOR, retryBackoff } from '../../../src/jobs/access-queue.js';
import { ProvisionerError } from '../../../src/provisioners/provisioner.js';

const jobWithDelay = (delay: number) => ({ opts: { backoff: { type: 'jitbot', delay } } }) as unknown as MinimalJob;

test('attempts back off from the job’s delay, doubling; an error retrying cannot fix waits eight times longer', () => {
  const job = jobWithDelay(2_000);
  const transient = new ProvisionerError('webhook', 'HTTP 503');
  const permanent = new ProvisionerError('postgres', 'login "jdoe" does not exist', { permanent: true });
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => retryBackoff(n, 'jitbot', transient, job)), [2_000, 4_000, 8_000, 16_000, 32_000]);
  assert.deepEqual([1, 2, 3].map((n) => retryBackoff(n, 'jitbot', permanent, job)), [16_000, 32_000, 64_000]);
  assert.equal(PERMANENT_BACKOFF_FACTOR, 8);
  assert.equal(retryBackoff(2, 'jitbot', new Error('a bug'), job), 4_000, 'anything else is retried as usual');
});
