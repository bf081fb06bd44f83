#!/usr/bin/env node
import { resolve } from 'node:path';
import { CommandLineError, CommandSetupError, parseCommandLine } from './cli/command-line.js';
import { auditKey, databaseLocation } from './cli/with-store.js';

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
 * Runs one command: its flags and positionals checked first, usage errors exit 2. Each command's
 * code is loaded when it runs, so `--help` or `policy check` do not load Redis, Slack or the database.
 */
async function run(name: CommandName, args: readonly string[]): Promise<number> {
  switch (name) {
    case 'policy check': {
      const { flags, positionals } = parseCommandLine(args, { probe: 'boolean' }, { min: 0, max: 1 });
      const path = resolve(positionals[0] ?? process.env['POLICY_PATH'] ?? './policy.yaml');
      const { policyCheck } = await import('./cli/policy-check.js');
      const checked = policyCheck(path);
      if (!checked) return 1;
      return flags.probe ? (await import('./cli/probe.js')).probe(checked.policy, path) : 0;
    }
    case 'audit verify': {
      const { flags } = parseCommandLine(args, { checkpoint: 'string' }, { min: 0, max: 0 });
      return (await import('./cli/audit.js')).auditVerify(auditKey(), flags.checkpoint);
    }
    case 'audit resume-forwarding': {
      const { flags } = parseCommandLine(args, { after: 'string' }, { min: 0, max: 0 });
      return (await import('./cli/audit.js')).resumeForwarding(auditKey(), flags);
    }
    case 'audit export': {
      const { flags } = parseCommandLine(args, { since: 'string', until: 'string', format: 'string' }, { min: 0, max: 0 });
      return (await import('./cli/audit.js')).auditExport(auditKey(), flags);
    }
    case 'review': {
      const { flags } = parseCommandLine(args, { days: 'string' }, { min: 0, max: 0 });
      return (await import('./cli/reviews.js')).review(auditKey(), flags);
    }
    case 'review export': {
      const { flags, positionals } = parseCommandLine(args, { format: 'string' }, { min: 1, max: 1 });
      return (await import('./cli/reviews.js')).reviewExport(auditKey(), positionals[0] ?? '', flags);
    }
    case 'revoke-all':
      return (await import('./cli/revoke-all.js')).revokeAllCli(args);
    case 'exceptions': {
      const { flags } = parseCommandLine(args, { all: 'boolean' }, { min: 0, max: 0 });
      return (await import('./cli/reviews.js')).listExceptions(auditKey(), flags.all === true);
    }
    case 'db backup': {
      const { positionals } = parseCommandLine(args, {}, { min: 1, max: 1 });
      const location = databaseLocation();
      if (location.kind === 'postgres') throw new CommandSetupError('backs up the SQLite file of DATABASE_PATH; PostgreSQL (DATABASE_URL) is backed up with its own tools (pg_dump, or continuous archiving)');
      return (await import('./cli/backup.js')).backupDatabase(location.path, resolve(positionals[0] ?? ''), auditKey());
    }
    case 'db copy': {
      const { flags } = parseCommandLine(args, { to: 'string' }, { min: 0, max: 0 });
      const location = databaseLocation();
      if (location.kind === 'postgres') throw new CommandSetupError('copies the SQLite file of DATABASE_PATH into --to: set DATABASE_PATH and unset DATABASE_URL for it');
      return (await import('./cli/copy.js')).copyDatabase(location.path, flags.to, auditKey());
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
