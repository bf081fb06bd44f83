import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startFakeSlack } from '../../test/support/fake-slack.js';
import { startOwnRedis } from '../../test/support/redis-server.js';
import { startWebhookReceiver } from '../../test/support/webhook-receiver.js';
import { createBenchDatabase, type StoreKind } from './bench-database.js';
import { startBotProcess } from './bot-process.js';
import { APPROVER, userId } from './seed.js';

export const SIGNING_SECRET = 'bench-signing-secret';
const WEBHOOK_SECRET = 'whsec_YmVuY2gtd2ViaG9vay1zZWNyZXQtMTIzNDU2Nzg=';

/** The policy every benchmark runs: production defaults, a webhook resource and an opt-out one. */
export function benchPolicy(webhookUrl: string): string {
  return `
settings:
  timezone: UTC
  security_channel: C0SECURITY
  security_team: [U0SEC1]
  reconcile_interval: 30s
approver_groups:
  db-leads: { users: [${APPROVER}, U0LEAD2] }
resources:
  prod-db:
    channel: C0DBAPPROVALS
    approvers: [db-leads]
    max_duration: 2h
    provisioner: { type: webhook, url: ${webhookUrl}, secret_env: PROD_DB_WEBHOOK_SECRET, timeout: 10s }
  vpn:
    channel: C0VPN
    approvers: [db-leads]
    max_duration: 2h
    opt_out: { allowed: true, approvers: [U0SEC1], max_duration: 7d, mode: auto_approve }
  wiki:
    channel: C0WIKI
    approvers: [db-leads]
    max_duration: 2h
    escalation: { after: 1m, to: [U0SEC1] }
    break_glass: { allowed: true }
`;
}

/**
 * What every benchmark needs: a redis-server of its own (so FLUSHALL touches nobody else),
 * the fake Slack Web API and a verifying webhook receiver in this process, a temp folder,
 * the database (SQLite in that folder, or a PostgreSQL database of the run's own), and a way
 * to start the bot as its own process, once or as several replicas sharing the database and
 * Redis.
 */
export async function startEnvironment({ store = 'sqlite' }: { store?: StoreKind } = {}) {
  const redis = await startOwnRedis();
  const slack = await startFakeSlack({ token: 'xoxb-bench-token' });
  for (let i = 0; i < 200; i += 1) slack.addUser({ id: userId(i) });
  for (const id of [APPROVER, 'U0LEAD2', 'U0ALICE', 'U0SEC1']) slack.addUser({ id });
  const webhook = await startWebhookReceiver(WEBHOOK_SECRET);
  const dir = mkdtempSync(join(tmpdir(), 'jitbot-bench-'));
  const database = await createBenchDatabase(store, dir);
  const startBot = (role: 'all' | 'web' | 'worker' = 'all') =>
    startBotProcess({
      database: database.env,
      role,
      dir,
      policy: benchPolicy(webhook.url),
      slackApiUrl: slack.apiUrl,
      redisUrl: redis.url,
      prefix: 'jitbot',
      signingSecret: SIGNING_SECRET,
      secrets: { PROD_DB_WEBHOOK_SECRET: WEBHOOK_SECRET },
    });
  return {
    redis,
    slack,
    webhook,
    dir,
    database,
    startBot,
    /** `count` replicas (JITBOT_ROLE=all), one after another: each holds its ports before the next picks free ones. */
    async startReplicas(count: number) {
      const bots: Awaited<ReturnType<typeof startBot>>[] = [];
      for (let i = 0; i < count; i += 1) bots.push(await startBot('all'));
      return bots;
    },
    async flushRedis() {
      const client = new Redis(redis.url);
      await client.flushall();
      client.disconnect();
    },
    async close() {
      await Promise.all([slack.close(), webhook.close()]);
      await redis.stop();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type BenchEnvironment = Awaited<ReturnType<typeof startEnvironment>>;
