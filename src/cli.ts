#!/usr/bin/env node
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { isoInstant } from './config/iso-instant.js';
import { ConfigError } from './config/errors.js';
import { readFileSync } from 'node:fs';
import { parseAuditKey, parseDatabase, parseEnv, SLACK_API_DEFAULT, type DatabaseLocation, type Env } from './config/env.js';
import { explainPolicy, policyWarnings } from './config/explain-policy.js';
import type { LoadedPolicy } from './config/load-policy.js';
import { parseRevokeAll, describeScope } from './domain/revoke-scope.js';
import { createAccessQueue, DEFAULT_RETRY } from './jobs/access-queue.js';
import { queuePrefix } from './jobs/queue-prefix.js';
import { redisConnection, redisSettings } from './jobs/redis-connection.js';
import { createLogger } from './logging.js';
import { createExceptionLifecycle } from './services/exception-lifecycle.js';
import { createMembership } from './services/membership.js';
import { createMessageLane } from './services/message-lane.js';
import { createRevokeAll } from './services/revoke-all.js';
import { createSlackDirectory } from './slack/directory.js';
import { createSlackNotifier } from './slack/notifier.js';
import { loadPolicyFile } from './config/load-policy.js';
import type { Policy } from './config/policy-schema.js';
import { unsetSecretVariables } from './config/secret-variables.js';
import { probeProvisioners } from './provisioners/registry.js';
import { createUsergroupAdmin } from './slack/usergroup-admin.js';
import type { UsergroupAdmin } from './provisioners/slack-usergroup.js';
import { unworkableApprovals, type PolicyFinding } from './domain/approval-feasibility.js';
import { createWebClient } from './slack/web-client.js';
import { slackLogger } from './slack/slack-logger.js';
import type { AuditKey } from './domain/audit-chain.js';
import { reachesCheckpoint, readCheckpoint } from './services/audit-checkpoint.js';
import { AUDIT_STREAM } from './jobs/audit-forwarder.js';
import { describeLocation, openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { exportAudit } from './services/audit-export.js';
import { rowAsJson } from './services/row-json.js';
import { conductReview, ON_DEMAND_REVIEW_DAYS, postedReview } from './services/review.js';
import { reviewCsv, reviewMarkdown } from './services/review-document.js';
import { systemClock } from './domain/clock.js';
import { errorMessage } from './error-message.js';
import { CommandLineError, CommandSetupError, parseCommandLine, wordsOf } from './cli/command-line.js';
import { backupDatabase } from './cli/backup.js';
import { copyDatabase } from './cli/copy.js';

/** Each command's usage lines; `jitbot --help` prints them all, `jitbot <command> --help` its own. */
const USAGES = {
  'policy check': `  jitbot policy check [path] [--probe]
                               validate a policy file (default: POLICY_PATH or ./policy.yaml) and explain it;
                               --probe also connects to each provisioner's target (needs its variables)`,
  'audit verify': `  jitbot audit verify [--checkpoint <file> | <seq>:<hash>]
                               walk the audit hash chain in the database (keyed with AUDIT_HMAC_KEY);
                               --checkpoint: and fail unless it still reaches that checkpoint (from the SIEM or Slack)`,
  'audit resume-forwarding': `  jitbot audit resume-forwarding --after <seq>
                               the audit_webhook stream goes on after that event (0: from the start), once its
                               refusal has been looked into; audited`,
  'audit export': `  jitbot audit export [--since <ISO date>] [--until <ISO date>] [--format jsonl|csv]
                               the audit events of that range (since ≤ at < until), in chain order`,
  review: `  jitbot review [--days N]     runs and stores the security review of the last N days (default 7); prints it as Markdown`,
  'review export': `  jitbot review export <id> [--format md|csv]
                               a stored review (rev-…) with the decisions taken on it, as Markdown or CSV`,
  'revoke-all': `  jitbot revoke-all --resource <name> | --user <U…> | --all --reason "<why>"
                               incident: ends every matching active grant and open exception now (the bot's
                               environment: DATABASE_URL or DATABASE_PATH, REDIS_URL, SLACK_BOT_TOKEN, POLICY_PATH…)`,
  exceptions: `  jitbot exceptions [--all]    opt-out exceptions in the database as JSON lines (pending and open; --all: every one)`,
  'db backup': `  jitbot db backup <file>      an online copy of DATABASE_PATH (the bot may keep running), its audit chain verified`,
  'db copy': `  jitbot db copy --to <postgres://…>
                               moving to PostgreSQL: every table of DATABASE_PATH copied into an empty PostgreSQL
                               database in one transaction, the audit chain verified on both (stop the bot first)`,
} as const;
type CommandName = keyof typeof USAGES;
const USAGE = `usage:\n${Object.values(USAGES).join('\n')}`;

/**
 * The approver groups that are Slack user groups, read live, and what their members make of the
 * approval chains: `policy check` alone cannot count a user group's people.
 */
async function probeApprovals(policy: Policy, usergroups: UsergroupAdmin | undefined): Promise<{ read: boolean; problems: string[]; warnings: string[] }> {
  const ids = [...new Set(Object.values(policy.approver_groups).flatMap((g) => ('usergroup' in g ? [g.usergroup] : [])))];
  const members = new Map<string, readonly string[]>();
  const problems: string[] = [];
  for (const id of ids) {
    if (!usergroups) {
      problems.push(`Slack user group ${id}: not read (SLACK_BOT_TOKEN is not set)`);
      continue;
    }
    try {
      const state = await usergroups.state(id);
      members.set(id, state.disabled ? [] : state.members);
    } catch (error) {
      problems.push(`Slack user group ${id}: ${errorMessage(error)}`);
    }
  }
  const findings = Object.entries(policy.resources).flatMap(([name, r]) => unworkableApprovals(policy, name, r, members));
  const words = (f: PolicyFinding) => `${f.path.join('.')}: ${f.message} (with the user groups' members as Slack lists them now)`;
  problems.push(...findings.filter((f) => f.severity === 'error').map(words));
  return { read: ids.length > 0, problems, warnings: findings.filter((f) => f.severity === 'warning').map(words) };
}

/** Connects to every provisioner's target and prints what fails; 1 when anything does. */
async function probe(policy: Policy, path: string): Promise<number> {
  const env = process.env;
  const token = env['SLACK_BOT_TOKEN'];
  const usergroups = token ? createUsergroupAdmin(createWebClient(token, env['SLACK_API_URL'] ?? SLACK_API_DEFAULT, 1, slackLogger(createLogger('warn', false, true), 'web-api'))) : undefined;
  const approvals = await probeApprovals(policy, usergroups);
  const results = await probeProvisioners({ policy, policyDir: dirname(path), env, clock: systemClock, usergroups });
  const verdict = (problems: readonly string[], probed: boolean) => (problems.length ? `FAILED\n${problems.map((p) => `      - ${p}`).join('\n')}` : probed ? 'OK' : 'nothing to probe');
  process.stdout.write('probe:\n');
  for (const r of results) process.stdout.write(`  ${r.resource} (${r.type}): ${verdict(r.problems, r.probed)}\n`);
  if (approvals.read) process.stdout.write(`  approvers in Slack user groups: ${verdict(approvals.problems, true)}\n`);
  for (const warning of approvals.warnings) process.stdout.write(`  warning: ${warning}\n`);
  return approvals.problems.length > 0 || results.some((r) => r.problems.length > 0) ? 1 : 0;
}

function policyCheck(path: string): { policy: Policy } | undefined {
  try {
    const { policy, version } = loadPolicyFile(path);
    process.stdout.write(`${path}: OK (version ${version})\n`);
    for (const line of explainPolicy(policy)) process.stdout.write(`  ${line}\n`);
    for (const warning of policyWarnings(policy)) process.stdout.write(`  warning: ${warning}\n`);
    const unset = unsetSecretVariables(policy, process.env);
    if (unset.length > 0) {
      process.stdout.write('  secret variables not set here (fine if the bot runs elsewhere: set them where it runs):\n');
      for (const { at, variable } of unset) process.stdout.write(`    ${variable} (${at})\n`);
    }
    return { policy };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${path}: invalid\n${error.problems.map((p) => `  - ${p.replace(`${path}: `, '')}`).join('\n')}\n`);
    return undefined;
  }
}

async function auditVerify(key: AuditKey, checkpointArg: string | undefined): Promise<number> {
  const checkpoint = checkpointArg === undefined ? undefined : readCheckpoint(checkpointArg, key, (path) => readFileSync(path, 'utf8'));
  if (checkpoint && !checkpoint.ok) throw new CommandLineError(`--checkpoint ${checkpoint.error}`);
  return withStore(key, async (store) => {
    const check = await store.verifyAuditChain();
    if (!check.ok) {
      process.stderr.write(`audit chain BROKEN at event ${check.brokenAt}: ${check.problem} (${check.count} events verified before it)\n`);
      return 1;
    }
    const unkeyed = check.unkeyed > 0 ? `; events 1–${check.unkeyed} were written before AUDIT_HMAC_KEY and are only hash-chained (unkeyed before seq ${check.unkeyed + 1})` : '';
    const head = check.head ? ` up to ${check.head.seq}:${check.head.hash}` : '';
    if (checkpoint) {
      const held = await store.auditEventAt(checkpoint.value.seq);
      const missed = reachesCheckpoint(checkpoint.value, check.head, () => held?.hash);
      if (missed) {
        process.stderr.write(`audit chain does NOT reach the checkpoint: ${missed}\n`);
        return 1;
      }
    }
    const held = checkpoint ? `; reaches the ${checkpoint.value.signed ? 'signed ' : ''}checkpoint at event ${checkpoint.value.seq}` : '';
    process.stdout.write(`audit chain OK: ${check.count} events${head}${held}${unkeyed}\n`);
    return 0;
  });
}

const resumeAfter = z.coerce.number({ error: '--after: expected the seq of the last event the SIEM holds' }).int('--after: expected a whole number').min(0, '--after: expected 0 or more');

async function resumeForwarding(key: AuditKey, flags: { after?: string }): Promise<number> {
  if (flags.after === undefined) throw new CommandLineError('--after <seq> is required');
  const parsed = resumeAfter.safeParse(flags.after);
  if (!parsed.success) throw new CommandLineError(`${wordsOf(parsed.error)}, got "${flags.after}"`);
  const after = parsed.data;
  return withStore(key, async (store, where) => {
    const position = await store.resumeAuditForwarding(AUDIT_STREAM, after, `cli:${userInfo().username}`, systemClock.now().toMillis());
    if (!position) {
      process.stderr.write(`jitbot audit resume-forwarding: there is no event ${after} in ${where}\n`);
      return 1;
    }
    process.stdout.write(`${AUDIT_STREAM} resumes after event ${position.seq}\n`);
    return 0;
  });
}

function listExceptions(key: AuditKey, all: boolean): Promise<number> {
  return withStore(key, async (store, where) => {
    const exceptions = await store.listExceptions({ all });
    for (const e of exceptions) process.stdout.write(`${JSON.stringify(rowAsJson(e))}\n`);
    // stdout stays JSON lines for scripts; the person at the terminal is told on stderr.
    if (exceptions.length === 0) process.stderr.write(`jitbot exceptions: there are no ${all ? '' : 'pending or open '}opt-out exceptions in ${where}\n`);
    return 0;
  });
}

const isoDate = (flag: string) => isoInstant(`${flag}: expected an ISO 8601 date like 2026-11-01 or 2026-11-01T09:00:00Z`).optional();

const exportOptions = z.object({
  since: isoDate('--since'),
  until: isoDate('--until'),
  format: z.enum(['jsonl', 'csv'], { error: '--format: expected jsonl or csv' }).default('jsonl'),
});

function auditExport(key: AuditKey, flags: { since?: string; until?: string; format?: string }): Promise<number> {
  const checked = exportOptions.safeParse(flags);
  if (!checked.success) throw new CommandLineError(wordsOf(checked.error));
  const parsed = checked.data;
  return withStore(key, async (store) => {
    const range = { since: parsed.since ?? 0, until: parsed.until ?? Number.MAX_SAFE_INTEGER };
    await exportAudit(store, range, parsed.format, (chunk) => process.stdout.write(chunk));
    return 0;
  });
}

const reviewDays = z.coerce
  .number({ error: '--days: expected a whole number of days' })
  .int('--days: expected a whole number of days')
  .min(1, '--days: expected at least 1 day')
  .max(366, '--days: expected at most 366 days')
  .default(ON_DEMAND_REVIEW_DAYS);

function review(key: AuditKey, flags: { days?: string }): Promise<number> {
  const parsed = reviewDays.safeParse(flags.days);
  if (!parsed.success) throw new CommandLineError(`${wordsOf(parsed.error)}, got "${flags.days ?? ''}"`);
  const days = parsed.data;
  return withStore(key, async (store) => {
    // Whoever ran it is recorded: a review is evidence, and evidence says who produced it.
    const record = await conductReview(store, { trigger: 'cli', by: `cli:${userInfo().username}`, days, now: systemClock.now().toMillis() });
    process.stdout.write(reviewMarkdown(record));
    return 0;
  });
}

const reviewExportOptions = z.object({ format: z.enum(['md', 'csv'], { error: '--format: expected md or csv' }).default('md') });

function reviewExport(key: AuditKey, id: string, flags: { format?: string }): Promise<number> {
  const parsed = reviewExportOptions.safeParse(flags);
  if (!parsed.success) throw new CommandLineError(wordsOf(parsed.error));
  const { format } = parsed.data;
  return withStore(key, async (store, where) => {
    const review = await store.findReview(id);
    if (!review) {
      process.stderr.write(`jitbot review export: there is no review ${id} in ${where}\n`);
      return 1;
    }
    const record = await postedReview(store, review);
    process.stdout.write(format === 'md' ? reviewMarkdown(record) : reviewCsv(record));
    return 0;
  });
}

/** Incident revoke-all from the bot's host: the database marked, Redis told, Slack told, counts printed. */
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

/** A SQLite path is the caller's, relative to where the command runs. */
const absolute = (location: DatabaseLocation): DatabaseLocation => (location.kind === 'sqlite' ? { kind: 'sqlite', path: resolve(location.path) } : location);

/** `DATABASE_URL` or `DATABASE_PATH`, as the bot reads them. */
function databaseLocation(): DatabaseLocation {
  try {
    return absolute(parseDatabase(process.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CommandSetupError(error.message);
  }
}

/** Opens the bot's store (DATABASE_URL or DATABASE_PATH), runs one command on it, and closes it. */
async function withStore(key: AuditKey, command: (store: Store, where: string) => Promise<number>): Promise<number> {
  const location = databaseLocation();
  const store = await openStore(location, { auditKey: key });
  try {
    return await command(store, describeLocation(location));
  } finally {
    await store.close();
  }
}

/** `AUDIT_HMAC_KEY`, which every command that opens the database needs: the audit trail is keyed with it. */
function auditKey(): AuditKey {
  try {
    return parseAuditKey(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new CommandSetupError(`${error.message} (the audit trail is keyed with it: use the bot's value)`);
  }
}

/** Runs one command: its flags and positionals checked first, usage errors exit 2. */
async function run(name: CommandName, args: readonly string[]): Promise<number> {
  switch (name) {
    case 'policy check': {
      const { flags, positionals } = parseCommandLine(args, { probe: 'boolean' }, { min: 0, max: 1 });
      const path = resolve(positionals[0] ?? process.env['POLICY_PATH'] ?? './policy.yaml');
      const checked = policyCheck(path);
      if (!checked) return 1;
      return flags.probe ? probe(checked.policy, path) : 0;
    }
    case 'audit verify': {
      const { flags } = parseCommandLine(args, { checkpoint: 'string' }, { min: 0, max: 0 });
      return auditVerify(auditKey(), flags.checkpoint);
    }
    case 'audit resume-forwarding': {
      const { flags } = parseCommandLine(args, { after: 'string' }, { min: 0, max: 0 });
      return resumeForwarding(auditKey(), flags);
    }
    case 'audit export': {
      const { flags } = parseCommandLine(args, { since: 'string', until: 'string', format: 'string' }, { min: 0, max: 0 });
      return auditExport(auditKey(), flags);
    }
    case 'review': {
      const { flags } = parseCommandLine(args, { days: 'string' }, { min: 0, max: 0 });
      return review(auditKey(), flags);
    }
    case 'review export': {
      const { flags, positionals } = parseCommandLine(args, { format: 'string' }, { min: 1, max: 1 });
      return reviewExport(auditKey(), positionals[0] ?? '', flags);
    }
    case 'revoke-all':
      return revokeAllCli(args);
    case 'exceptions': {
      const { flags } = parseCommandLine(args, { all: 'boolean' }, { min: 0, max: 0 });
      return listExceptions(auditKey(), flags.all === true);
    }
    case 'db backup': {
      const { positionals } = parseCommandLine(args, {}, { min: 1, max: 1 });
      const location = databaseLocation();
      if (location.kind === 'postgres') throw new CommandSetupError('backs up the SQLite file of DATABASE_PATH; PostgreSQL (DATABASE_URL) is backed up with its own tools (pg_dump, or continuous archiving)');
      return backupDatabase(location.path, resolve(positionals[0] ?? ''), auditKey());
    }
    case 'db copy': {
      const { flags } = parseCommandLine(args, { to: 'string' }, { min: 0, max: 0 });
      const location = databaseLocation();
      if (location.kind === 'postgres') throw new CommandSetupError('copies the SQLite file of DATABASE_PATH into --to: set DATABASE_PATH and unset DATABASE_URL for it');
      return copyDatabase(location.path, flags.to, auditKey());
    }
  }
}

/** The longest command name the arguments start with (`review export` before `review`). */
function commandOf(argv: readonly string[]): { name: CommandName; args: readonly string[] } | undefined {
  const names = Object.keys(USAGES) as CommandName[];
  const two = `${argv[0] ?? ''} ${argv[1] ?? ''}`;
  const name = names.find((n) => n === two) ?? names.find((n) => n === argv[0]);
  return name === undefined ? undefined : { name, args: argv.slice(name.split(' ').length) };
}

const HELP = new Set(['--help', '-h', 'help']);

async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 0 || (argv.length === 1 && HELP.has(argv[0] ?? ''))) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const command = commandOf(argv);
  if (!command) {
    const known = argv[0] === 'policy' || argv[0] === 'audit' || argv[0] === 'db' ? `${argv[0]} ${argv[1] ?? ''}`.trim() : argv[0];
    process.stderr.write(`jitbot: unknown command "${known ?? ''}" (jitbot --help lists the commands)\n`);
    return 2;
  }
  if (command.args.some((a) => HELP.has(a))) {
    process.stdout.write(`usage:\n${USAGES[command.name]}\n`);
    return 0;
  }
  try {
    return await run(command.name, command.args);
  } catch (error) {
    if (error instanceof CommandSetupError) {
      process.stderr.write(`jitbot ${command.name}: ${error.message}\n`);
      return 2;
    }
    if (!(error instanceof CommandLineError)) throw error;
    process.stderr.write(`jitbot ${command.name}: ${error.message}\nusage:\n${USAGES[command.name]}\n`);
    return 2;
  }
}

// `jitbot audit export | head`: a reader that stops early ends the output, not in a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});
process.exitCode = await main(process.argv.slice(2));
