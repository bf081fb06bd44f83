import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors.js';
import { describeIssues, describeYamlError, policyErrorMap } from './policy-problems.js';
import type { Policy } from '../domain/policy.js';
import { policySchema } from './policy-schema.js';

export interface LoadedPolicy {
  policy: Policy;
  /** SHA-256 of the file's bytes (16 hex digits): which rules a request was made under. */
  version: string;
  /** The file as written: kept with each version, so old requests can be judged by their rules. */
  text: string;
}

/** The SHA-256 of a policy file's text (hex): its version is the first 16 characters. */
export const policyDigest = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Parses policy text (YAML, so JSON too). Throws ConfigError listing every problem. */
export function parsePolicy(text: string, source: string): LoadedPolicy {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new ConfigError(`${source}: not valid YAML or JSON: ${describeYamlError(error, text)}`);
  }
  const input = raw ?? {};
  const result = policySchema.safeParse(input, { error: policyErrorMap });
  if (!result.success) {
    const problems = describeIssues(result.error.issues, input, policySchema);
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s); run \`jitbot policy check\`)` : '';
    throw new ConfigError(`${source}: ${problems[0]}${more}`, problems);
  }
  return { policy: result.data, version: policyDigest(text).slice(0, 16), text };
}

export function loadPolicyFile(path: string): LoadedPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `${path}: policy file not found (set POLICY_PATH, or copy policy.example.yaml to policy.yaml)`
        : `${path}: cannot read the policy file (${code ?? String(error)})`,
    );
  }
  return parsePolicy(text, path);
}

