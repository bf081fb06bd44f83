#!/usr/bin/env node
import { resolve } from 'node:path';
import { ConfigError } from './config/errors.js';
import { loadPolicyFile } from './config/load-policy.js';
import { compactDuration } from './domain/duration.js';
import { approvalStages } from './domain/approval-chain.js';
import { verifyAuditChain } from './store/audit-log.js';
import { openDatabase } from './store/database.js';

const USAGE = `usage:
  jitbot policy check [path]   validate a policy file (default: POLICY_PATH or ./policy.yaml)
  jitbot audit verify          walk the audit hash chain in DATABASE_PATH`;

function policyCheck(path: string): number {
  try {
    const { policy, version } = loadPolicyFile(path);
    process.stdout.write(`${path}: OK (version ${version})\n`);
    for (const [name, r] of Object.entries(policy.resources)) {
      const stages = approvalStages(r)
        .map((s, i) => `stage ${i + 1}: ${s.approvalsRequired} of [${s.approvers.join(', ')}]`)
        .join('; ');
      process.stdout.write(
        `  ${name}: requesters [${r.requesters?.join(', ') ?? 'anyone'}]; ${stages}; max ${compactDuration(r.max_duration)}; ` +
          `channel ${r.channel}; provisioner ${r.provisioner.type}\n`,
      );
    }
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${path}: invalid\n${error.problems.map((p) => `  - ${p.replace(`${path}: `, '')}`).join('\n')}\n`);
    return 1;
  }
}

function auditVerify(databasePath: string): number {
  const database = openDatabase(databasePath);
  try {
    const check = verifyAuditChain(database.db);
    if (check.ok) {
      process.stdout.write(`audit chain OK: ${check.count} events\n`);
      return 0;
    }
    process.stderr.write(`audit chain BROKEN at event ${check.brokenAt}: ${check.problem} (${check.count} events verified before it)\n`);
    return 1;
  } finally {
    database.close();
  }
}

function main(argv: readonly string[]): number {
  const [group, command, arg] = argv;
  if (group === 'policy' && command === 'check') {
    return policyCheck(resolve(arg ?? process.env['POLICY_PATH'] ?? './policy.yaml'));
  }
  if (group === 'audit' && command === 'verify') {
    return auditVerify(resolve(process.env['DATABASE_PATH'] ?? './data/jitbot.sqlite'));
  }
  process.stderr.write(`${USAGE}\n`);
  return group === undefined || group === 'help' ? 0 : 2;
}

process.exitCode = main(process.argv.slice(2));
