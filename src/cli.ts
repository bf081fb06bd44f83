#!/usr/bin/env node
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isoInstant } from './config/iso-instant.js';
import { ConfigError } from './config/errors.js';
import { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
import { parseAuditKey, parseEnv, SLACK_API_DEFAULT, type Env } from './config/env.js';
import { explainPolicy, policyWarnings } from './config/explain-policy.js';
import type { LoadedPolicy } from './config/load-policy.js';
import { parseRevokeAll, describeScope } from './domain/revoke-scope.js';
import { createAccessQueue, DEFAULT_RETRY } from './jobs/access-queue.js';
import { createLogger } from './logging.js';
import { createExceptionLifecycle } from './services/exception-lifecycle.js';
import { createMembership } from './services/membership.js';
import { createMessageLane } from './services/message-lane.js';
import { createRevokeAll } from './services/revoke-all.js';
import { createSlackDirectory } from './slack/directory.js';
import { createSlackNotifier } from './slack/notifier.js';
import { loadPolicyFile } from './config/load-policy.js';
import type { Policy } from './config/policy-schema.js';
import { probeProvisioners } from './provisioners/registry.js';
import { createUsergroupAdmin } from './slack/usergroup-admin.js';
import { createWebClient } from './slack/web-client.js';
import { auditEventAt, verifyAuditChain } from './store/audit-log.js';
import type { AuditKey } from './domain/audit-chain.js';
import { reachesCheckpoint, readCheckpoint } from './services/audit-checkpoint.js';
import { AUDIT_STREAM } from './jobs/audit-forwarder.js';
import { openDatabase } from './store/database.js';
import { createStore } from './store/store.js';
import { exportAudit } from './services/audit-export.js';
import { rowAsJson } from './services/row-json.js';
import { conductReview, ON_DEMAND_REVIEW_DAYS, postedReview } from './services/review.js';
import { reviewCsv, reviewMarkdown } from './services/review-document.js';
import { systemClock } from './domain/clock.js';
import { errorMessage } from './error-message.js';

const USAGE = `usage:
  jitbot policy check [path] [--probe]
                               validate a policy file (default: POLICY_PATH or ./policy.yaml) and explain it;
                               --probe also connects to each provisioner's target (needs its variables)
  jitbot audit verify [--checkpoint <file> | <seq>:<hash>]
                               walk the audit hash chain in DATABASE_PATH (keyed with AUDIT_HMAC_KEY);
                               --checkpoint: and fail unless it still reaches that checkpoint (from the SIEM or Slack)
  jitbot audit resume-forwarding --after <seq>
                               the audit_webhook stream goes on after that event (0: from the start), once its
                               refusal has been looked into; audited
  jitbot audit export [--since <ISO date>] [--until <ISO date>] [--format jsonl|csv]
                               the audit events of that range (since ≤ at < until), in chain order
  jitbot review [--days N]     runs and stores the security review of the last N days (default 7); prints it as Markdown
  jitbot review export <id> [--format md|csv]
                               a stored review (rev-…) with the decisions taken on it, as Markdown or CSV
  jitbot revoke-all --resource <name> | --user <U…> | --all --reason "<why>"
                               incident: ends every matching active grant and open exception now (the bot's
                               environment: DATABASE_PATH, REDIS_URL, SLACK_BOT_TOKEN, POLICY_PATH…)
  jitbot exceptions [--all]    opt-out exceptions in DATABASE_PATH as JSON lines (pending and open; --all: every one)`;

/** Connects to every provisioner's target and prints what fails; 1 when anything does. */
async function probe(policy: Policy, path: string): Promise<number> {
  const env = process.env;
  const token = env['SLACK_BOT_TOKEN'];
  const usergroups = token ? createUsergroupAdmin(createWebClient(token, env['SLACK_API_URL'] ?? SLACK_API_DEFAULT, 1)) : undefined;
  const results = await probeProvisioners({ policy, policyDir: dirname(path), env, clock: systemClock, usergroups });
  process.stdout.write('probe:\n');
  for (const r of results) {
    const verdict = r.problems.length ? `FAILED\n${r.problems.map((p) => `      - ${p}`).join('\n')}` : r.probed ? 'OK' : 'nothing to probe';
    process.stdout.write(`  ${r.resource} (${r.type}): ${verdict}\n`);
  }
  return results.some((r) => r.problems.length > 0) ? 1 : 0;
}

function policyCheck(path: string): { policy: Policy } | undefined {
  try {
    const { policy, version } = loadPolicyFile(path);
    process.stdout.write(`${path}: OK (version ${version})\n`);
    for (const line of explainPolicy(policy)) process.stdout.write(`  ${line}\n`);
    for (const warning of policyWarnings(policy)) process.stdout.write(`  warning: ${warning}\n`);
    return { policy };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${path}: invalid\n${error.problems.map((p) => `  - ${p.replace(`${path}: `, '')}`).join('\n')}\n`);
    return undefined;
  }
}

function auditVerify(databasePath: string, key: AuditKey, args: readonly string[]): number {
  let checkpointArg: string | undefined;
  try {
    ({ checkpoint: checkpointArg } = parseArgs({ args: [...args], options: { checkpoint: { type: 'string' } }, strict: true }).values);
  } catch (error) {
    process.stderr.write(`jitbot audit verify: ${errorMessage(error)}\n${USAGE}\n`);
    return 2;
  }
  const checkpoint = checkpointArg === undefined ? undefined : readCheckpoint(checkpointArg, key, (path) => readFileSync(path, 'utf8'));
  if (checkpoint && !checkpoint.ok) {
    process.stderr.write(`jitbot audit verify: --checkpoint ${checkpoint.error}\n`);
    return 2;
  }
  const database = openDatabase(databasePath);
  try {
    const check = verifyAuditChain(database.db, key);
    if (!check.ok) {
      process.stderr.write(`audit chain BROKEN at event ${check.brokenAt}: ${check.problem} (${check.count} events verified before it)\n`);
      return 1;
    }
    const unkeyed = check.unkeyed > 0 ? `; events 1–${check.unkeyed} were written before AUDIT_HMAC_KEY and are only hash-chained (unkeyed before seq ${check.unkeyed + 1})` : '';
    const head = check.head ? ` up to ${check.head.seq}:${check.head.hash}` : '';
    if (checkpoint) {
      const missed = reachesCheckpoint(checkpoint.value, check.head, (seq) => auditEventAt(database.db, seq)?.hash);
      if (missed) {
        process.stderr.write(`audit chain does NOT reach the checkpoint: ${missed}\n`);
        return 1;
      }
    }
    const held = checkpoint ? `; reaches the ${checkpoint.value.signed ? 'signed ' : ''}checkpoint at event ${checkpoint.value.seq}` : '';
    process.stdout.write(`audit chain OK: ${check.count} events${head}${held}${unkeyed}\n`);
    return 0;
  } finally {
    database.close();
  }
}

function resumeForwarding(databasePath: string, key: AuditKey, args: readonly string[]): number {
  let after: number;
  try {
    const { values } = parseArgs({ args: [...args], options: { after: { type: 'string' } }, strict: true });
    const parsed = z.coerce.number({ error: '--after: expected the seq of the last event the SIEM holds' }).int().min(0, '--after: expected 0 or more').safeParse(values.after);
    if (values.after === undefined || !parsed.success) {
      process.stderr.write(`jitbot audit resume-forwarding: ${parsed.success ? '--after <seq> is required' : parsed.error.issues.map((i) => i.message).join('; ')}\n`);
      return 2;
    }
    after = parsed.data;
  } catch (error) {
    process.stderr.write(`jitbot audit resume-forwarding: ${errorMessage(error)}\n${USAGE}\n`);
    return 2;
  }
  const database = openDatabase(databasePath);
  try {
    const position = createStore(database, { auditKey: key }).resumeAuditForwarding(AUDIT_STREAM, after, `cli:${userInfo().username}`, systemClock.now().toMillis());
    if (!position) {
      process.stderr.write(`jitbot audit resume-forwarding: there is no event ${after} in ${databasePath}\n`);
      return 1;
    }
    process.stdout.write(`${AUDIT_STREAM} resumes after event ${position.seq}\n`);
    return 0;
  } finally {
    database.close();
  }
}

function listExceptions(databasePath: string, key: AuditKey, all: boolean): number {
  const database = openDatabase(databasePath);
  try {
    for (const e of createStore(database, { auditKey: key }).listExceptions({ all })) process.stdout.write(`${JSON.stringify(rowAsJson(e))}\n`);
    return 0;
  } finally {
    database.close();
  }
}

const isoDate = (flag: string) => isoInstant(`${flag}: expected an ISO 8601 date like 2026-11-01 or 2026-11-01T09:00:00Z`).optional();

const exportOptions = z.object({
  since: isoDate('--since'),
  until: isoDate('--until'),
  format: z.enum(['jsonl', 'csv'], { error: '--format: expected jsonl or csv' }).default('jsonl'),
});

function auditExport(databasePath: string, key: AuditKey, args: readonly string[]): number {
  let parsed: z.output<typeof exportOptions>;
  try {
    const { values } = parseArgs({ args: [...args], options: { since: { type: 'string' }, until: { type: 'string' }, format: { type: 'string' } }, strict: true });
    const checked = exportOptions.safeParse(values);
    if (!checked.success) {
      process.stderr.write(`jitbot audit export: ${checked.error.issues.map((i) => i.message).join('; ')}\n`);
      return 2;
    }
    parsed = checked.data;
  } catch (error) {
    process.stderr.write(`jitbot audit export: ${errorMessage(error)}\n${USAGE}\n`);
    return 2;
  }
  const database = openDatabase(databasePath);
  try {
    const range = { since: parsed.since ?? 0, until: parsed.until ?? Number.MAX_SAFE_INTEGER };
    exportAudit(createStore(database, { auditKey: key }), range, parsed.format, (chunk) => process.stdout.write(chunk));
    return 0;
  } finally {
    database.close();
  }
}

function review(databasePath: string, key: AuditKey, args: readonly string[]): number {
  let days: number;
  try {
    const { values } = parseArgs({ args: [...args], options: { days: { type: 'string' } }, strict: true });
    const parsed = z.coerce.number({ error: '--days: expected a number of days' }).int().min(1, '--days: expected at least 1').max(366, '--days: expected at most 366').default(ON_DEMAND_REVIEW_DAYS).safeParse(values.days);
    if (!parsed.success) {
      process.stderr.write(`jitbot review: ${parsed.error.issues.map((i) => i.message).join('; ')}\n`);
      return 2;
    }
    days = parsed.data;
  } catch (error) {
    process.stderr.write(`jitbot review: ${errorMessage(error)}\n${USAGE}\n`);
    return 2;
  }
  const database = openDatabase(databasePath);
  try {
    // Whoever ran it is recorded: a review is evidence, and evidence says who produced it.
    const record = conductReview(createStore(database, { auditKey: key }), { trigger: 'cli', by: `cli:${userInfo().username}`, days, now: systemClock.now().toMillis() });
    process.stdout.write(reviewMarkdown(record));
    return 0;
  } finally {
    database.close();
  }
}

const reviewExportOptions = z.object({ format: z.enum(['md', 'csv'], { error: '--format: expected md or csv' }).default('md') });

function reviewExport(databasePath: string, key: AuditKey, args: readonly string[]): number {
  let id: string | undefined;
  let format: 'md' | 'csv';
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: { format: { type: 'string' } }, allowPositionals: true, strict: true });
    const parsed = reviewExportOptions.safeParse(values);
    if (!parsed.success || positionals.length !== 1) {
      process.stderr.write(`jitbot review export: ${parsed.success ? 'expected one review ID, like rev-7fk2m9qa3d' : parsed.error.issues.map((i) => i.message).join('; ')}\n`);
      return 2;
    }
    [id] = positionals;
    format = parsed.data.format;
  } catch (error) {
    process.stderr.write(`jitbot review export: ${errorMessage(error)}\n${USAGE}\n`);
    return 2;
  }
  const database = openDatabase(databasePath);
  try {
    const store = createStore(database, { auditKey: key });
    const review = id === undefined ? undefined : store.findReview(id);
    if (!review) {
      process.stderr.write(`jitbot review export: there is no review ${id ?? ''} in ${databasePath}\n`);
      return 1;
    }
    const record = postedReview(store, review);
    process.stdout.write(format === 'md' ? reviewMarkdown(record) : reviewCsv(record));
    return 0;
  } finally {
    database.close();
  }
}

/** Incident revoke-all from the bot's host: SQLite marked, Redis told, Slack told, counts printed. */
async function revokeAllCli(args: readonly string[]): Promise<number> {
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
  const database = openDatabase(resolve(env.DATABASE_PATH));
  const redis = new Redis(env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect().catch((error: unknown) => log.warn({ err: error }, 'Redis is not answering: the bot’s sweep will revoke from SQLite'));
  const reminderLeadMs = () => loaded.policy.settings.expiry_warning.toMillis();
  const queue = createAccessQueue({ connection: redis, prefix: env.REDIS_PREFIX, retry: DEFAULT_RETRY, clock: systemClock, reminderLeadMs });
  const client = createWebClient(env.SLACK_BOT_TOKEN, env.SLACK_API_URL, 2);
  const store = createStore(database, { auditKey: env.AUDIT_HMAC_KEY });
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
    database.close();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const [group, command] = argv;
  if (group === 'policy' && command === 'check') {
    const rest = argv.slice(2);
    const withProbe = rest.includes('--probe');
    const [arg] = rest.filter((a) => a !== '--probe');
    const path = resolve(arg ?? process.env['POLICY_PATH'] ?? './policy.yaml');
    const checked = policyCheck(path);
    if (!checked) return 1;
    return withProbe ? probe(checked.policy, path) : 0;
  }
  const databasePath = resolve(process.env['DATABASE_PATH'] ?? './data/jitbot.sqlite');
  if (group === 'revoke-all') return revokeAllCli(argv.slice(1));
  const withKey = (run: (key: AuditKey) => number): number => {
    let key: AuditKey;
    try {
      key = parseAuditKey(process.env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      process.stderr.write(`jitbot: ${error.message} (the audit trail is keyed with it: use the bot's value)\n`);
      return 2;
    }
    return run(key);
  };
  if (group === 'audit' && command === 'verify') return withKey((key) => auditVerify(databasePath, key, argv.slice(2)));
  if (group === 'audit' && command === 'export') return withKey((key) => auditExport(databasePath, key, argv.slice(2)));
  if (group === 'audit' && command === 'resume-forwarding') return withKey((key) => resumeForwarding(databasePath, key, argv.slice(2)));
  if (group === 'review' && command === 'export') return withKey((key) => reviewExport(databasePath, key, argv.slice(2)));
  if (group === 'review') return withKey((key) => review(databasePath, key, argv.slice(1)));
  if (group === 'exceptions' && (command === undefined || command === '--all')) return withKey((key) => listExceptions(databasePath, key, command === '--all'));
  process.stderr.write(`${USAGE}\n`);
  return group === undefined || group === 'help' ? 0 : 2;
}

// `jitbot audit export | head`: a reader that stops early ends the output, not in a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});
process.exitCode = await main(process.argv.slice(2));
