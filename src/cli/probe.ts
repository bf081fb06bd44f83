import { dirname } from 'node:path';
import { SLACK_API_DEFAULT } from '../config/env.js';
import type { Policy } from '../domain/policy.js';
import { unworkableApprovals, type PolicyFinding } from '../domain/approval-feasibility.js';
import { systemClock } from '../domain/clock.js';
import { errorMessage } from '../error-message.js';
import { createLogger } from '../logging.js';
import { probeProvisioners } from '../provisioners/registry.js';
import type { UsergroupAdmin } from '../provisioners/slack-usergroup.js';
import { slackLogger } from '../slack/slack-logger.js';
import { createUsergroupAdmin } from '../slack/usergroup-admin.js';
import { createWebClient } from '../slack/web-client.js';

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
export async function probe(policy: Policy, path: string): Promise<number> {
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
