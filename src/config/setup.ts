import { resolve } from 'node:path';
import { parseEnv, policyPathIn, type Env } from './env.js';
import { ConfigError } from './errors.js';
import { loadPolicyFile, type LoadedPolicy } from './load-policy.js';
import { notSetProblem, unsetSecretVariables } from './secret-variables.js';

/** Everything start-up reads from the environment and the policy file, checked. */
export interface Setup {
  env: Env;
  policyPath: string;
  policy: LoadedPolicy;
}

/** Bad set-up: every problem found, so one run tells them all. */
function setupProblems(problems: readonly string[]): ConfigError {
  const message = problems.length === 1 ? (problems[0] ?? '') : `${problems.length} problems stop start-up:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
  return new ConfigError(message, problems);
}

/** Runs one check, keeping its problems instead of stopping at them. */
function attempt<T>(check: () => T, problems: string[], each: (problem: string) => string = (p) => p): T | undefined {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems.map(each));
    return undefined;
  }
}

/**
 * The environment, the policy file and the secret variables the policy names, each checked
 * whatever the others hold: throws a ConfigError listing every problem at once.
 */
export function checkSetup(source: NodeJS.ProcessEnv): Setup {
  const problems: string[] = [];
  const env = attempt(() => parseEnv(source), problems);
  const path = resolve(env?.POLICY_PATH ?? policyPathIn(source));
  const policy = attempt(() => loadPolicyFile(path), problems, (p) => (p.startsWith(`${path}: `) ? p : `${path}: ${p}`));
  if (policy) problems.push(...unsetSecretVariables(policy.policy, source).map(notSetProblem));
  if (!env || !policy || problems.length > 0) throw setupProblems(problems);
  return { env, policyPath: path, policy };
}
