import pg from 'pg';
import { quotedFromOutside } from '../domain/redact.js';
import { errorMessage } from '../error-message.js';
import { ProvisionerError, type AccessEvent, type Provisioner } from './provisioner.js';

const { Pool, escapeIdentifier, escapeLiteral } = pg;

/** How a Slack user is known to PostgreSQL: their email's local part, or an explicit map. */
export type LoginRule = 'email_localpart' | Readonly<Record<string, string>>;

/**
 * A person's login: the mapped name, or their email's local part — with `emailDomains`, only
 * for emails of one of those domains (compared without case; subdomains are other domains).
 */
export function loginOf(rule: LoginRule, user: AccessEvent['user'], emailDomains?: readonly string[]): string | undefined {
  if (rule !== 'email_localpart') return rule[user.slack_id];
  const at = user.email?.lastIndexOf('@') ?? -1;
  if (!user.email || at <= 0) return undefined;
  const domain = user.email.slice(at + 1).toLowerCase();
  if (emailDomains && !emailDomains.some((d) => d.toLowerCase() === domain)) return undefined;
  return user.email.slice(0, at);
}

export interface PostgresProvisionerOptions {
  connectionString: string;
  /** The variable the connection string came from: named in errors, never the string itself. */
  connectionEnv: string;
  role: string;
  login: LoginRule;
  /** `email_domain`: with `email_localpart`, only emails of these domains map. */
  emailDomains?: readonly string[] | undefined;
  terminateSessions: boolean;
  validUntil: boolean;
  connectTimeoutMs?: number;
}

/** What PostgreSQL says about a login, to tell a person's own login from any other role. */
interface LoginFacts {
  canLogin: boolean;
  superuser: boolean;
  hasMembers: boolean;
  /** The role jitbot's admin connection runs as. */
  own: boolean;
  /** It has a VALID UNTIL (not "never") earlier than the grant's end. */
  expiresEarlier: boolean;
}

/**
 * `GRANT role TO login` for the grant's duration, `REVOKE` after (and the login's sessions
 * ended, since a session that did `SET ROLE` keeps the role's rights). Only a person's own
 * login is granted: a group role, a role that cannot log in, a superuser or jitbot's own
 * login is refused (and its sessions are never ended). With `valid_until`, a login's
 * `VALID UNTIL` is moved to the grant's end when it is earlier (never earlier than it was, and
 * never onto a login whose password does not expire), so access ends inside PostgreSQL even
 * while jitbot is down. Identifiers are quoted by the driver.
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
  /** A driver's error, quoted. */
  const fail = (message: string, cause: unknown) => new ProvisionerError('postgres', `${message}: ${quotedFromOutside(errorMessage(cause))}`, { cause, quotesOutside: true });
  /** What retrying cannot fix: a missing role or login, a person with no login, or one that is not personal. */
  const refuse = (message: string) => new ProvisionerError('postgres', message, { permanent: true });
  const role = escapeIdentifier(options.role);

  async function withClient<T>(what: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw fail(`cannot reach PostgreSQL (${options.connectionEnv})`, error);
    }
    try {
      return await work(client);
    } catch (error) {
      throw error instanceof ProvisionerError ? error : fail(what, error);
    } finally {
      client.release();
    }
  }

  const existing = async (client: pg.PoolClient, names: readonly string[]) =>
    new Set((await client.query<{ rolname: string }>('select rolname from pg_roles where rolname = any($1::text[])', [names])).rows.map((r) => r.rolname));

  function loginFor(event: AccessEvent): string {
    const login = loginOf(options.login, event.user, options.emailDomains);
    if (login !== undefined) return login;
    const { slack_id: who, email } = event.user;
    if (options.login !== 'email_localpart') throw refuse(`${who} has no login in provisioner.login`);
    if (!email) throw refuse(`${who} has no email in Slack, so they have no login; map them in provisioner.login`);
    throw refuse(`${who}'s Slack email is not in provisioner.email_domain (${options.emailDomains?.join(', ') ?? ''}), so they have no login; map them in provisioner.login`);
  }

  /** The login's facts, or undefined when it does not exist. `expiresAt` is the grant's end, if any. */
  async function factsOf(client: pg.PoolClient, login: string, expiresAt: string | null): Promise<LoginFacts | undefined> {
    const { rows } = await client.query<LoginFacts>(
      `select r.rolcanlogin as "canLogin", r.rolsuper as "superuser",
              exists (select 1 from pg_auth_members m where m.roleid = r.oid) as "hasMembers",
              r.rolname in (current_user, session_user) as "own",
              coalesce(r.rolvaliduntil < $2::timestamptz, false) as "expiresEarlier"
         from pg_roles r where r.rolname = $1`,
      [login, expiresAt],
    );
    return rows[0];
  }

  /** Why this is not a person's own login, which is all jitbot grants; undefined when it is. */
  function notPersonal(login: string, facts: LoginFacts): string | undefined {
    const only = 'jitbot grants only personal logins; map the person to their own in provisioner.login';
    if (facts.own) return `login "${login}" is the one jitbot connects as (${options.connectionEnv}); ${only}`;
    if (facts.superuser) return `login "${login}" is a superuser; ${only}`;
    if (facts.hasMembers) return `login "${login}" has members (a group role: they would all get "${options.role}"); ${only}`;
    if (!facts.canLogin) return `role "${login}" cannot log in, so it is nobody's personal login; ${only}`;
    return undefined;
  }

  /**
   * Takes the role away (whoever holds it, it is jitbot's to give), and with
   * `terminate_sessions` ends the sessions only of a personal login: never a service's,
   * a superuser's or jitbot's own.
   */
  async function revokeFrom(client: pg.PoolClient, login: string): Promise<void> {
    const found = await existing(client, [options.role, login]);
    // Without the role or the login, there is no membership left to take away.
    if (found.has(options.role) && found.has(login)) await client.query(`REVOKE ${role} FROM ${escapeIdentifier(login)}`);
    const facts = await factsOf(client, login, null);
    if (options.terminateSessions && !(facts && notPersonal(login, facts))) {
      await client.query('select pg_terminate_backend(pid) from pg_stat_activity where usename = $1 and pid <> pg_backend_pid()', [login]);
    }
  }

  async function grantTo(client: pg.PoolClient, login: string, expiresAt: string): Promise<void> {
    const found = await existing(client, [options.role]);
    if (!found.has(options.role)) throw refuse(`role "${options.role}" does not exist in the database; create it or correct provisioner.role`);
    const facts = await factsOf(client, login, expiresAt);
    if (!facts) throw refuse(`login "${login}" does not exist in the database; create it, or map the person in provisioner.login`);
    const refusal = notPersonal(login, facts);
    if (refusal) throw refuse(refusal);
    await client.query(`GRANT ${role} TO ${escapeIdentifier(login)}`);
    // A login whose password never expires is someone else's to manage (a service's, say): left alone.
    if (options.validUntil && facts.expiresEarlier) await client.query(`ALTER ROLE ${escapeIdentifier(login)} VALID UNTIL ${escapeLiteral(expiresAt)}`);
  }

  return {
    type: 'postgres',
    target: `postgres:${options.connectionEnv}:${options.role}`,

    async apply(event) {
      const login = loginFor(event);
      if (event.type === 'access.revoke') await withClient(`revoking ${options.role} from ${login}`, (client) => revokeFrom(client, login));
      else await withClient(`granting ${options.role} to ${login}`, (client) => grantTo(client, login, event.expires_at));
    },

    identify: (user) => loginOf(options.login, user, options.emailDomains),

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
          const problems = (await existing(client, [options.role])).has(options.role) ? [] : [`role "${options.role}" does not exist`];
          for (const login of mapped) {
            const facts = await factsOf(client, login, null);
            const wrong = facts ? notPersonal(login, facts) : `login "${login}" (in provisioner.login) does not exist`;
            if (wrong) problems.push(wrong);
          }
          return problems;
        });
      } catch (error) {
        return [quotedFromOutside(errorMessage(error))];
      }
    },

    close: () => pool.end(),
  };
}
