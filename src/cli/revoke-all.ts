import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { parseEnv, type Env } from '../config/env.js';
import { ConfigError } from '../config/errors.js';
import { loadPolicyFile, type LoadedPolicy } from '../config/load-policy.js';
import { systemClock } from '../domain/clock.js';
import { describeScope, parseRevokeAll } from '../domain/revoke-scope.js';
import { createAccessQueue, DEFAULT_RETRY } from '../jobs/access-queue.js';
import { queuePrefix } from '../jobs/queue-prefix.js';
import { redisConnection, redisSettings } from '../jobs/redis-connection.js';
import { createLogger } from '../logging.js';
import { createExceptionLifecycle } from '../services/exception-lifecycle.js';
import { createMembership } from '../services/membership.js';
import { createMessageLane } from '../services/message-lane.js';
import { createRevokeAll } from '../services/revoke-all.js';
import { createSlackDirectory } from '../slack/directory.js';
import { createSlackNotifier } from '../slack/notifier.js';
import { slackLogger } from '../slack/slack-logger.js';
import { createWebClient } from '../slack/web-client.js';
import { openStore } from '../store/open-store.js';
import { absolute } from './with-store.js';

/** Incident revoke-all from the bot's host: the database marked, Redis told, Slack told, counts printed. */
export async function revokeAllCli(args: readonly string[]): Promise<number> {
  const parsed = parseRevokeAll(args);
  if (!parsed.ok) {
    process.stderr.write(`jitbot revoke-all: ${parsed.error.replace(/`/g, '')}\n`);
    return 2;
  }
  let env: Env;
  let loaded: LoadedPolicy;
  try {
    env = parseEnv(process.env);
    loaded = loadPolicyFile(resolve(env.POLICY_PATH));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`jitbot revoke-all: ${error.message} (run it with the bot's environment)\n`);
    return 2;
  }
  const log = createLogger(env.LOG_LEVEL === 'info' ? 'warn' : env.LOG_LEVEL, false, true);
  const store = await openStore(absolute(env.database), { auditKey: env.AUDIT_HMAC_KEY });
  const redis = redisConnection(redisSettings(env), 'cli');
  redis.on('error', () => undefined);
  await redis.connect().catch((error: unknown) => log.warn({ err: error }, 'Redis is not answering: the bot’s sweep will revoke from the database'));
  const reminderLeadMs = () => loaded.policy.settings.expiry_warning.toMillis();
  const queue = createAccessQueue({ connection: redis, prefix: queuePrefix(env.REDIS_PREFIX), retry: DEFAULT_RETRY, clock: systemClock, reminderLeadMs });
  const client = createWebClient(env.SLACK_BOT_TOKEN, env.SLACK_API_URL, 2, slackLogger(log, 'web-api'));
  const policy = () => loaded.policy;
  const directory = createSlackDirectory({ client, usergroupTtlMs: () => loaded.policy.settings.usergroup_cache.toMillis() });
  const notifier = createSlackNotifier({ client, directory, policy, metrics: { slackError: () => undefined }, log });
  const messages = createMessageLane({ inFlight: 8, log });
  const exceptions = createExceptionLifecycle({ store, scheduler: queue.scheduler, notifier, messages, reminderLeadMs, clock: systemClock, log });
  try {
    const actor = `cli:${userInfo().username}`;
    const result = await createRevokeAll({ store, membership: createMembership({ policy, directory }), exceptions, scheduler: queue.scheduler, notifier, clock: systemClock, log }).revokeAll({ actorId: actor, ...parsed.value, checkedBy: 'cli' });
    if (!result.ok) {
      process.stderr.write(`jitbot revoke-all: ${result.error}\n`);
      return 1;
    }
    process.stdout.write(`revoked: ${result.value.grants} grant(s), ${result.value.exceptions} exception(s) (${describeScope(parsed.value.scope).replace(/<@|>/g, '')})\n`);
    return 0;
  } finally {
    await messages.drain(5_000);
    await queue.close();
    redis.disconnect();
    await store.close();
  }
}
