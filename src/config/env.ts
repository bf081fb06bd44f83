import { z } from 'zod';
import { ConfigError } from './errors.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** all: one process does everything; web: Slack and HTTP only; worker: timers, provisioning, sweeps. */
const ROLES = ['all', 'web', 'worker'] as const;

/** Slack's Web API, unless `SLACK_API_URL` points elsewhere (a test double, a proxy). */
export const SLACK_API_DEFAULT = 'https://slack.com/api/';

const port = z.coerce.number({ error: 'expected a port number' }).int().min(0).max(65535);
/**
 * Keys the audit hash chain, its checkpoints and the forwarder's position. It must live outside
 * the database (a secret store, the service's environment): whoever holds it can rewrite history.
 */
const auditKey = z
  .string({ error: 'required: a secret of at least 32 characters that keys the audit trail (e.g. `openssl rand -base64 32`)' })
  .min(32, 'expected at least 32 characters (e.g. `openssl rand -base64 32`)');

const policyPath = z.string().min(1).default('./policy.yaml');

/** Redis when neither `REDIS_URL` nor `REDIS_SENTINELS` is set. */
export const REDIS_URL_DEFAULT = 'redis://127.0.0.1:6379';

export interface SentinelAddress {
  host: string;
  port: number;
}

const SENTINELS_EXAMPLE = 'host:port,host:port (e.g. 10.0.0.5:26379,10.0.0.6:26379)';
/** `host:port` or `[v6-address]:port`. */
const SENTINEL_ADDRESS = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):([0-9]{1,5})$/;

/** `REDIS_SENTINELS`: a comma-separated list of Sentinel addresses, each checked and named when wrong. */
const sentinels = z.string().transform((text, ctx): SentinelAddress[] => {
  const addresses: SentinelAddress[] = [];
  for (const item of text.split(',').map((part) => part.trim())) {
    const match = SENTINEL_ADDRESS.exec(item);
    const host = match?.[1] ?? match?.[2];
    const port = Number(match?.[3]);
    if (host === undefined || !(port >= 1 && port <= 65535)) {
      ctx.addIssue({ code: 'custom', message: `expected ${SENTINELS_EXAMPLE}; ${JSON.stringify(item)} is not host:port` });
      return z.NEVER;
    }
    addresses.push({ host, port });
  }
  return addresses;
});

const DATABASE_PATH_DEFAULT = './data/jitbot.sqlite';
/** The system of record: one SQLite file (the default), or PostgreSQL that several replicas share. */
const databaseVariables = z
  .object({
    DATABASE_PATH: z.string().min(1).optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'expected a URL like postgres://jitbot:password@db.internal:5432/jitbot')
      .optional(),
  })
  .superRefine((vars, ctx) => {
    if (vars.DATABASE_PATH !== undefined && vars.DATABASE_URL !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['DATABASE_URL'], message: 'set either DATABASE_URL (PostgreSQL, for several replicas) or DATABASE_PATH (one SQLite file), not both' });
    }
  });

export type DatabaseLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

const databaseLocation = (vars: z.output<typeof databaseVariables>): DatabaseLocation =>
  vars.DATABASE_URL === undefined ? { kind: 'sqlite', path: vars.DATABASE_PATH ?? DATABASE_PATH_DEFAULT } : { kind: 'postgres', url: vars.DATABASE_URL };

const envSchema = z
  .object({
    SLACK_BOT_TOKEN: z
      .string({ error: 'required: the bot token (xoxb-…) from your Slack app' })
      .regex(/^xox[bp]-/, 'expected a bot token starting with xoxb-'),
    SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'expected an app-level token starting with xapp-').optional(),
    SLACK_API_URL: z.url({ error: `expected a URL like ${SLACK_API_DEFAULT}` }).default(SLACK_API_DEFAULT),
    PORT: port.default(3000),
    HOST: z
      .string()
      .regex(/^[A-Za-z0-9.:%[\]-]+$/, 'expected a listen address like 0.0.0.0, 127.0.0.1 or ::')
      .default('0.0.0.0'),
    METRICS_PORT: port.optional(),
    METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
    // No default here: set together with REDIS_SENTINELS it is an error (redisSettings applies the default).
    REDIS_URL: z.string().regex(/^rediss?:\/\//, `expected a URL like ${REDIS_URL_DEFAULT}`).optional(),
    REDIS_SENTINELS: sentinels.optional(),
    REDIS_SENTINEL_NAME: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected the master name the Sentinels monitor, like mymaster').default('mymaster'),
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, _ or -')
      .default('jitbot'),
    POLICY_PATH: policyPath,
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    AUDIT_HMAC_KEY: auditKey,
    ADMIN_API_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
    JITBOT_ROLE: z.enum(ROLES, { error: `expected one of ${ROLES.join(', ')}` }).default('all'),
  })
  .superRefine((env, ctx) => {
    if (env.METRICS_PORT !== undefined && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
      ctx.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: 'must differ from PORT (unset it to serve /metrics on PORT with METRICS_TOKEN)' });
    }
    if (env.REDIS_SENTINELS !== undefined && env.REDIS_URL !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['REDIS_SENTINELS'], message: 'set REDIS_SENTINELS or REDIS_URL, not both (with Sentinel the master comes from the Sentinels)' });
    }
  })
  // Checked even when other variables are wrong (`when`), so a first start names both missing secrets.
  .superRefine(
    (env, ctx) => {
      if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
        ctx.addIssue({
          code: 'custom',
          path: ['SLACK_SIGNING_SECRET'],
          message: 'required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
        });
      }
    },
    { when: () => true },
  );

export type Env = z.output<typeof envSchema> & { database: DatabaseLocation };

/** Empty (or blank) values count as unset, as they do in most .env files. */
function withoutEmpty(source: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((e): e is [string, string] => e[1] !== undefined && e[1].trim() !== ''));
}

/** Throws ConfigError naming every variable that is wrong (the message starts with the first). */
function parsed<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv): z.output<S> {
  const result = schema.safeParse(withoutEmpty(source));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `environment: ${i.path.map(String).join('.')}: ${i.message}`);
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new ConfigError(`${problems[0]}${more}`, problems);
  }
  return result.data;
}

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const everything = z.intersection(envSchema, databaseVariables);
  const env = parsed(everything, source);
  return { ...env, database: databaseLocation(env) };
}

/** `DATABASE_URL` or `DATABASE_PATH` alone, for the CLI's commands that open the database. */
export function parseDatabase(source: NodeJS.ProcessEnv): DatabaseLocation {
  return databaseLocation(parsed(databaseVariables, source));
}

/** `AUDIT_HMAC_KEY` alone, for the CLI's commands that need nothing else of the bot's environment. */
export function parseAuditKey(source: NodeJS.ProcessEnv): string {
  return parsed(z.object({ AUDIT_HMAC_KEY: auditKey }), source).AUDIT_HMAC_KEY;
}

/** `POLICY_PATH` (or its default) alone: the policy can be checked even when other variables are wrong. */
export function policyPathIn(source: NodeJS.ProcessEnv): string {
  return parsed(z.object({ POLICY_PATH: policyPath }), source).POLICY_PATH;
}
