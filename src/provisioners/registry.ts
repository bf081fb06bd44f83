import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';
import type { Policy, ProvisionerConfig } from '../domain/policy.js';
import { notSetProblem } from '../config/secret-variables.js';
import type { Clock } from '../domain/clock.js';
import { createCommandProvisioner } from './command.js';
import { createKeyedLock, type KeyedLock } from './keyed-lock.js';
import { loadModuleProvisioner } from './module.js';
import { createNoneProvisioner } from './none.js';
import { createPostgresProvisioner } from './postgres.js';
import type { Provisioner } from './provisioner.js';
import type { UsergroupAdmin } from './slack-usergroup.js';
import { createSlackUsergroupProvisioner } from './slack-usergroup.js';
import { createWebhookProvisioner } from './webhook.js';

/** What a command's environment always carries from ours, when set. */
const BASE_ENV = ['PATH', 'HOME', 'LANG', 'TZ'] as const;

export interface ProvisionerContext {
  policyDir: string;
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  /** Slack user-group calls, for `slack_usergroup` (absent where there is no bot token). */
  usergroups?: UsergroupAdmin | undefined;
}

/** A path in the policy, relative to the policy file's folder. */
const fromPolicyDir = (ctx: ProvisionerContext, path: string) => (isAbsolute(path) ? path : resolve(ctx.policyDir, path));

function build(name: string, config: Exclude<ProvisionerConfig, { type: 'module' }>, ctx: ProvisionerContext, lock: KeyedLock): Provisioner {
  const at = `resources.${name}.provisioner`;
  const required = (key: string, variable: string) => {
    const value = ctx.env[variable];
    if (value === undefined || value.trim() === '') throw new ConfigError(notSetProblem({ at: `${at}.${key}`, variable }));
    return value;
  };
  switch (config.type) {
    case 'webhook':
      return createWebhookProvisioner({ url: config.url, secret: required('secret_env', config.secret_env), timeoutMs: config.timeout.toMillis(), clock: ctx.clock });
    case 'command': {
      const [program, ...args] = config.run;
      const executable = program !== undefined && /^\.\.?\//.test(program) ? fromPolicyDir(ctx, program) : program;
      const env: Record<string, string> = {};
      for (const variable of BASE_ENV) {
        const value = ctx.env[variable];
        if (value !== undefined) env[variable] = value;
      }
      for (const variable of config.pass_env) env[variable] = required('pass_env', variable);
      return createCommandProvisioner({ run: [executable ?? '', ...args], cwd: ctx.policyDir, timeoutMs: config.timeout.toMillis(), env });
    }
    case 'postgres':
      return createPostgresProvisioner({
        connectionString: required('connection_env', config.connection_env),
        connectionEnv: config.connection_env,
        role: config.role,
        login: config.login,
        emailDomains: config.email_domain,
        terminateSessions: config.terminate_sessions,
        validUntil: config.valid_until,
      });
    case 'slack_usergroup':
      if (!ctx.usergroups) throw new ConfigError(`${at}.type: slack_usergroup needs SLACK_BOT_TOKEN (with the usergroups:write scope)`);
      return createSlackUsergroupProvisioner({ usergroup: config.usergroup, admin: ctx.usergroups, lock });
    case 'none':
      return createNoneProvisioner();
  }
}

/**
 * One provisioner per resource. Everything but `module` is built (and its configuration
 * checked) at once; modules are imported by `load()`, which start-up awaits.
 */
export function createProvisioners(args: { policy: Policy } & ProvisionerContext) {
  const built = new Map<string, Provisioner>();
  const modules: { name: string; at: string; path: string; options: Record<string, unknown> }[] = [];
  // One lock for all: two resources on one user group still change it one at a time.
  const lock = createKeyedLock();
  for (const [name, resource] of Object.entries(args.policy.resources)) {
    const config = resource.provisioner;
    if (config.type !== 'module') {
      built.set(name, build(name, config, args, lock));
      continue;
    }
    const at = `resources.${name}.provisioner`;
    const path = fromPolicyDir(args, config.path);
    if (!existsSync(path)) throw new ConfigError(`${at}.path: ${path} does not exist`);
    modules.push({ name, at, path, options: config.options });
  }

  return {
    get: (resource: string): Provisioner | undefined => built.get(resource),
    /** Every resource and its provisioner (modules once loaded). */
    all: (): [string, Provisioner][] => [...built.entries()],
    async load(): Promise<void> {
      for (const m of modules) {
        if (built.has(m.name)) continue;
        built.set(m.name, await loadModuleProvisioner({ at: m.at, path: m.path, options: m.options, context: { resource: m.name, policyDir: args.policyDir, env: args.env } }));
      }
    },
    async close(): Promise<void> {
      await Promise.all([...built.values()].map((p) => p.close?.()));
    },
  };
}

export type Provisioners = ReturnType<typeof createProvisioners>;

export interface ProbeResult {
  resource: string;
  type: string;
  /** What is wrong; empty when the target answered as expected. */
  problems: string[];
  /** False where the type has nothing to connect to (webhook, none). */
  probed: boolean;
}

/**
 * `jitbot policy check --probe`: builds each resource's provisioner on its own (one bad
 * entry does not hide the others) and asks it to reach its target.
 */
export async function probeProvisioners(args: { policy: Policy } & ProvisionerContext): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const [name, resource] of Object.entries(args.policy.resources)) {
    const type = resource.provisioner.type;
    let provisioners: Provisioners | undefined;
    try {
      provisioners = createProvisioners({ ...args, policy: { ...args.policy, resources: { [name]: resource } } });
      await provisioners.load();
      const provisioner = provisioners.get(name);
      const problems = provisioner?.probe ? await provisioner.probe() : [];
      results.push({ resource: name, type, problems, probed: provisioner?.probe !== undefined });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      results.push({ resource: name, type, problems: [...error.problems], probed: true });
    } finally {
      await provisioners?.close();
    }
  }
  return results;
}
