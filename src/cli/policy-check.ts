import { ConfigError } from '../config/errors.js';
import { explainPolicy, policyWarnings } from '../config/explain-policy.js';
import { loadPolicyFile } from '../config/load-policy.js';
import type { Policy } from '../domain/policy.js';
import { unsetSecretVariables } from '../config/secret-variables.js';

/** `jitbot policy check`: the policy explained, its warnings, and the secret variables not set here. */
export function policyCheck(path: string): { policy: Policy } | undefined {
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
