import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';
import type { Policy, ProvisionerConfig } from '../config/policy-schema.js';
import type { Clock } from '../domain/clock.js';
import { createCommandProvisioner } from './command.js';
import { createNoneProvisioner } from './none.js';
import type { Provisioner } from './provisioner.js';
import { createWebhookProvisioner } from './webhook.js';

/** What a command's environment always carries from ours, when set. */
const BASE_ENV = ['PATH', 'HOME', 'LANG', 'TZ'] as const;

export interface ProvisionerContext {
  policyDir: string;
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
}

function build(name: string, config: ProvisionerConfig, ctx: ProvisionerContext): Provisioner {
  const at = `resources.${name}.provisioner`;
  const required = (key: string, variable: string) => {
    const value = ctx.env[variable];
    if (value === undefined || value === '') throw new ConfigError(`${at}.${key}: environment variable ${variable} is not set`);
    return value;
  };
  switch (config.type) {
    case 'webhook':
      return createWebhookProvisioner({ url: config.url, secret: required('secret_env', config.secret_env), timeoutMs: config.timeout.toMillis(), clock: ctx.clock });
    case 'command': {
      const [program, ...args] = config.run;
      const executable = program !== undefined && /^\.\.?\//.test(program) && !isAbsolute(program) ? resolve(ctx.policyDir, program) : program;
      const env: Record<string, string> = {};
      for (const variable of BASE_ENV) {
        const value = ctx.env[variable];
        if (value !== undefined) env[variable] = value;
      }
      for (const variable of config.pass_env) env[variable] = required('pass_env', variable);
      return createCommandProvisioner({ run: [executable ?? '', ...args], cwd: ctx.policyDir, timeoutMs: config.timeout.toMillis(), env });
    }
    case 'none':
      return createNoneProvisioner();
    case 'postgres':
    case 'slack_usergroup':
    case 'module':
      throw new ConfigError(`${at}.type: "${config.type}" is not available in this version of jitbot; use webhook, command or none`);
  }
}

/** One provisioner per resource, built once at start-up; bad provisioner config stops start-up. */
export function createProvisioners(args: { policy: Policy } & ProvisionerContext): Map<string, Provisioner> {
  return new Map(Object.entries(args.policy.resources).map(([name, resource]) => [name, build(name, resource.provisioner, args)]));
}
