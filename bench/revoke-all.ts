import { setTimeout as sleep } from 'node:timers/promises';
import { signedPost, slashCommandBody } from '../test/support/slack-requests.js';
import type { StoreKind } from './support/bench-database.js';
import { SIGNING_SECRET, startEnvironment } from './support/environment.js';
import { revocationLateness, seedGrants } from './support/seed.js';

export interface RevokeAllResult {
  grants: number;
  /** From sending `/request revoke-all --all` to its reply with the counts (NaN: none within the cap). */
  replyMs: number;
  /** From sending it to the last grant recorded revoked (every webhook answered). */
  allRevokedMs: number;
  notRevoked: number;
}

/** How long the benchmark waits for the reply and for every revocation before it reports what is left. */
const CAP_MS = 300_000;

/** An incident: `/request revoke-all --all` over `grants` active grants (issue 6: seconds, not minutes). */
export async function revokeAllBenchmark(options: { store: StoreKind; replicas: number; grants: number; log: (line: string) => void }): Promise<RevokeAllResult> {
  const env = await startEnvironment({ store: options.store });
  try {
    const now = Date.now();
    await seedGrants(env.database, options.grants, () => now + 3_600_000, now);
    options.log(`seeded ${options.grants} active grants, an hour left on each, in ${((Date.now() - now) / 1000).toFixed(1)} s (${options.store})`);
    const bots = await env.startReplicas(options.replicas);
    const [bot] = bots;
    try {
      if (bot === undefined) throw new Error('no bot started');
      const started = performance.now();
      const body = slashCommandBody({ text: 'revoke-all --all bench incident INC-1', userId: 'U0SEC1', responseUrl: env.slack.responseUrl('revoke-all') });
      const res = await signedPost(bot.eventsUrl, SIGNING_SECRET, body, 'application/x-www-form-urlencoded');
      if (res.status !== 200) throw new Error(`/request revoke-all answered ${res.status}`);
      const reply = await env.slack.waitForResponse('revoke-all', () => true, CAP_MS).catch(() => undefined);
      const replyMs = reply === undefined ? Number.NaN : performance.now() - started;
      options.log(reply === undefined ? `no reply within ${CAP_MS / 1000} s` : `reply after ${(replyMs / 1000).toFixed(1)} s: ${String(reply.body['text']).split('.')[1]?.trim() ?? ''}`);
      let notRevoked = options.grants;
      while (performance.now() - started < CAP_MS) {
        notRevoked = (await revocationLateness(env.database)).notRevoked;
        if (notRevoked === 0) break;
        await sleep(200);
      }
      return { grants: options.grants, replyMs, allRevokedMs: performance.now() - started, notRevoked };
    } finally {
      await Promise.all(bots.map((b) => b.stop()));
    }
  } finally {
    await env.close();
  }
}
