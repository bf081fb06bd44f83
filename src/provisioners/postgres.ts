import pg from 'pg';
import { errorMessage } from '../error-message.js';
import { ProvisionerError, type AccessEvent, type Provisioner } from './provisioner.js';

const { Pool, escapeIdentifier, escapeLiteral } = pg;

/** How a Slack user is known to PostgreSQL: their email's local part, or an explicit map. */
export type LoginRule = 'email_localpart' | Readonly<Record<string, string>>;

export function loginOf(rule: LoginRule, user: AccessEvent['user']): string | undefined {
  if (rule !== 'email_localpart') return rule[user.slack_id];
  const at = user.email?.lastIndexOf('@') ?? -1;
  return user.email && at > 0 ? user.email.slice(0, at) : undefined;
}

export interface PostgresProvisionerOptions {
  connectionString: string;
  /** The variable the connection string came from: named in errors, never the string itself. */
  connectionEnv: string;
  role: string;
  login: LoginRule;
  terminateSessions: boolean;
  validUntil: boolean;
  connectTimeoutMs?: number;
}

/**
 * `GRANT role TO login` for the grant's duration, `REVOKE` after (and the login's sessions
 * ended, since a session that did `SET ROLE` keeps the role's rights). With `valid_until`,
 * the login's `VALID UNTIL` is moved to the grant's end (never earlier than it was), so access
 * ends inside PostgreSQL even while jitbot is down. Identifiers are quoted by the driver.
 */
export function createPostgresProvisioner(options: PostgresProvisionerOptions): Provisioner {
  const pool = new Pool({
    connectionString: options.connectionString,
    max: 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 10_000,
    application_name: 'jitbot',
  });
  // An idle connection dropped by the server (restart, failover) must not crash the bot.
  pool.on('error', () => undefined);
  const fail = (message: string, cause?: unknown) => new ProvisionerError('postgres', message, { cause });
  /** A login or role that does not exist: retrying cannot fix it until someone creates or maps it. */
  const missing = (message: string) => new ProvisionerError('postgres', message, { permanent: true });
  const role = escapeIdentifier(options.role);

  async function withClient<T>(what: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw fail(`cannot reach PostgreSQL (${options.connectionEnv}): ${errorMessage(error)}`, error);
    }
    try {
      return await work(client);
    } catch (error) {
      throw error instanceof ProvisionerError ? error : fail(`${what}: ${errorMessage(error)}`, error);
    } finally {
      client.release();
    }
  }

  const existing = async (client: pg.PoolClient, names: readonly string[]) =>
    new Set((await client.query<{ rolname: string }>('select rolname from pg_roles where rolname = any($1::text[])', [names])).rows.map((r) => r.rolname));

  function loginFor(event: AccessEvent): string {
    const login = loginOf(options.login, event.user);
    if (login !== undefined) return login;
    throw missing(
      options.login === 'email_localpart'
        ? `${event.user.slack_id} has no email in Slack, so they have no login; map them in provisioner.login`
        : `${event.user.slack_id} has no login in provisioner.login`,
    );
  }

  async function revokeFrom(client: pg.PoolClient, login: string): Promise<void> {
    const found = await existing(client, [options.role, login]);
    // Without the role or the login, there is no membership left to take away.
    if (found.has(options.role) && found.has(login)) await client.query(`REVOKE ${role} FROM ${escapeIdentifier(login)}`);
    if (options.terminateSessions) {
      await client.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1 and pid <> pg_backend_pid()', [login]);
    }
  }

  async function grantTo(client: pg.PoolClient, login: string, expiresAt: string): Promise<void> {
    const found = await existing(client, [options.role, login]);
    if (!found.has(options.role)) throw missing(`role "${options.role}" does not exist in the database; create it or correct provisioner.role`);
    if (!found.has(login)) throw missing(`login "${login}" does not exist in the database; create it, or map the person in provisioner.login`);
    await client.query(`GRANT ${role} TO ${escapeIdentifier(login)}`);
    if (!options.validUntil) return;
    const { rows } = await client.query<{ later: boolean }>(
      "select coalesce(rolvaliduntil < $2::timestamptz, true) as later from pg_roles where rolname = $1",
      [login, expiresAt],
    );
    if (rows[0]?.later) await client.query(`ALTER ROLE ${escapeIdentifier(login)} VALID UNTIL ${escapeLiteral(expiresAt)}`);
  }

  return {
    type: 'postgres',
    target: `postgres:${options.connectionEnv}:${options.role}`,

    async apply(event) {
      const login = loginFor(event);
      if (event.type === 'access.revoke') await withClient(`revoking ${options.role} from ${login}`, (client) => revokeFrom(client, login));
      else await withClient(`granting ${options.role} to ${login}`, (client) => grantTo(client, login, event.expires_at));
    },

    identify: (user) => loginOf(options.login, user),

    async check() {
      return withClient(`reading the members of ${options.role}`, async (client) => {
        const { rows } = await client.query<{ member: string }>(
          `select m.rolname as member from pg_auth_members am
             join pg_roles r on r.oid = am.roleid
             join pg_roles m on m.oid = am.member
           where r.rolname = $1 order by 1`,
          [options.role],
        );
        return rows.map((r) => r.member);
      });
    },

    async removeUnmanaged(login) {
      await withClient(`revoking ${options.role} from ${login}`, (client) => revokeFrom(client, login));
    },

    async probe() {
      try {
        return await withClient('probing', async (client) => {
          const mapped = options.login === 'email_localpart' ? [] : Object.values(options.login);
          const found = await existing(client, [options.role, ...mapped]);
          return [
            ...(found.has(options.role) ? [] : [`role "${options.role}" does not exist`]),
            ...mapped.filter((login) => !found.has(login)).map((login) => `login "${login}" (in provisioner.login) does not exist`),
          ];
        });
      } catch (error) {
        return [errorMessage(error)];
      }
    },

    close: () => pool.end(),
  };
}
