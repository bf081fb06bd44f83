#!/usr/bin/env node
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ConfigError } from './config/errors.js';
import { checkSetup } from './config/setup.js';
import { policyWarnings } from './config/explain-policy.js';
import { createJitbot, StartupError } from './jitbot.js';
import { createLogger } from './logging.js';
import { redactedErrorMessage } from './error-message.js';

/** The only place that reads process.env. Bad configuration: every problem in one message, exit 1. */
async function main(): Promise<void> {
  const { env, policyPath, policy } = checkSetup(process.env);
  const logger = createLogger(env.LOG_LEVEL);
  for (const warning of policyWarnings(policy.policy)) logger.warn({ policyPath }, warning);
  const jitbot = await createJitbot({ env, policy, policyDir: dirname(policyPath), secrets: process.env, logger });
  await jitbot.start();

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    jitbot.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // SQLite holds the truth and every step is retried, so a stray failure is logged, not fatal.
  process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled rejection'));
  // A new policy: on SIGHUP, or when the file changes (editors replace it, so watch its folder).
  let reloading = Promise.resolve();
  const reload = (why: string) => {
    if (stopping) return;
    reloading = reloading
      .then(async () => {
        const outcome = await jitbot.reloadPolicyFile(policyPath);
        if (outcome.kind !== 'unchanged') logger.info({ why, outcome: outcome.kind }, 'policy reload');
      })
      .catch((error: unknown) => logger.error({ err: error, why }, 'policy reload failed; the current policy stays'));
  };
  process.on('SIGHUP', () => reload('SIGHUP'));
  let debounce: NodeJS.Timeout | undefined;
  watch(dirname(policyPath), (_event, file) => {
    if (file !== null && file !== basename(policyPath)) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => reload('file changed'), 300);
  }).unref();
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof StartupError) {
    process.stderr.write(`jitbot: ${error.message}\n`);
  } else {
    process.stderr.write(`jitbot: failed to start: ${redactedErrorMessage(error)}\n`);
  }
  process.exit(1);
});
