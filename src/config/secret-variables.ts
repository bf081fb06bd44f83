import type { Policy, ProvisionerConfig } from '../domain/policy.js';

/** An environment variable the policy reads a secret (or connection string) from. */
export interface SecretVariable {
  /** The policy key that names it: `resources.prod-db.provisioner.secret_env`. */
  at: string;
  variable: string;
}

/** What start-up, a reload and `policy check` say about a secret variable that is not set. */
export const notSetProblem = ({ at, variable }: SecretVariable): string => `${at}: environment variable ${variable} is not set`;

function provisionerVariables(config: ProvisionerConfig): { key: string; variable: string }[] {
  switch (config.type) {
    case 'webhook':
      return [{ key: 'secret_env', variable: config.secret_env }];
    case 'command':
      return config.pass_env.map((variable) => ({ key: 'pass_env', variable }));
    case 'postgres':
      return [{ key: 'connection_env', variable: config.connection_env }];
    case 'slack_usergroup':
    case 'module':
    case 'none':
      return [];
  }
}

/** Every variable the policy names for provisioners (`secret_env`, `pass_env`, `connection_env`) and `audit_webhook`. */
export function secretVariables(policy: Policy): SecretVariable[] {
  const variables = Object.entries(policy.resources).flatMap(([name, resource]) =>
    provisionerVariables(resource.provisioner).map(({ key, variable }) => ({ at: `resources.${name}.provisioner.${key}`, variable })),
  );
  const auditWebhook = policy.settings.audit_webhook;
  if (auditWebhook) variables.push({ at: 'settings.audit_webhook.secret_env', variable: auditWebhook.secret_env });
  return variables;
}

const isUnset = (value: string | undefined) => value === undefined || value.trim() === '';

/** The policy's secret variables that this environment does not set (blank counts as unset). */
export function unsetSecretVariables(policy: Policy, env: Readonly<Record<string, string | undefined>>): SecretVariable[] {
  return secretVariables(policy).filter(({ variable }) => isUnset(env[variable]));
}
