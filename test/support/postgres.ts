import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL (trust auth, database `test`); TEST_POSTGRES_URL overrides it. */
export const TEST_POSTGRES_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Roles are cluster-wide, so every name here carries a random prefix: parallel runs and
 * leftovers of a killed run cannot collide. `drop()` removes all of it.
 */
export async function startPostgresFixture() {
  const prefix = `jit_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  const role = `${prefix}_rw`;
  const schema = prefix;
  const logins: string[] = [];
  const id = pg.escapeIdentifier;
  await admin.query(`CREATE ROLE ${id(role)} NOLOGIN`);
  await admin.query(`CREATE SCHEMA ${id(schema)}`);
  await admin.query(`CREATE TABLE ${id(schema)}.secrets (v text)`);
  await admin.query(`INSERT INTO ${id(schema)}.secrets VALUES ('the launch codes')`);
  await admin.query(`GRANT USAGE ON SCHEMA ${id(schema)} TO ${id(role)}`);
  await admin.query(`GRANT SELECT ON ${id(schema)}.secrets TO ${id(role)}`);

  async function createRole(name: string, options: string): Promise<string> {
    const login = `${prefix}_${name}`;
    await admin.query(`CREATE ROLE ${id(login)} ${options}`);
    logins.push(login);
    return login;
  }

  const urlAs = (login: string) => {
    const url = new URL(TEST_POSTGRES_URL);
    url.username = login;
    url.password = '';
    return url.toString();
  };

  return {
    prefix,
    role,
    admin,
    /**
     * A personal login (no rights of its own), made as the README says: its password's
     * VALID UNTIL in the past, so only jitbot's grants open it.
     */
    createLogin: (name: string): Promise<string> => createRole(name, "LOGIN VALID UNTIL '2000-01-01'"),
    /** Any other role under the prefix, e.g. `createRole('app_devs', 'LOGIN')` or `createRole('root', 'LOGIN SUPERUSER')`. */
    createRole,
    /** Connects as the login and tries to read the table through the role: 'ok' or the error. */
    async readAs(login: string): Promise<string> {
      const client = new pg.Client({ connectionString: urlAs(login) });
      try {
        await client.connect();
        await client.query(`SET ROLE ${id(role)}`);
        const { rows } = await client.query<{ v: string }>(`select v from ${id(schema)}.secrets`);
        return rows[0]?.v === 'the launch codes' ? 'ok' : 'no rows';
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    /** An open session as the login that has taken on the role, as a person at a psql prompt would. */
    async sessionAs(login: string): Promise<pg.Client> {
      const client = new pg.Client({ connectionString: urlAs(login) });
      client.on('error', () => undefined);
      await client.connect();
      await client.query(`SET ROLE ${id(role)}`);
      return client;
    },
    async validUntil(login: string): Promise<Date | null> {
      const { rows } = await admin.query<{ rolvaliduntil: Date | null }>('select rolvaliduntil from pg_roles where rolname = $1', [login]);
      return rows[0]?.rolvaliduntil ?? null;
    },
    async members(): Promise<string[]> {
      const { rows } = await admin.query<{ member: string }>(
        'select m.rolname as member from pg_auth_members am join pg_roles r on r.oid = am.roleid join pg_roles m on m.oid = am.member where r.rolname = $1 order by 1',
        [role],
      );
      return rows.map((r) => r.member);
    },
    async drop(): Promise<void> {
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = any($1::text[])`, [logins]);
      await admin.query(`DROP SCHEMA ${id(schema)} CASCADE`);
      for (const login of logins) await admin.query(`DROP ROLE IF EXISTS ${id(login)}`);
      await admin.query(`DROP ROLE IF EXISTS ${id(role)}`);
      await admin.end();
    },
  };
}

export type PostgresFixture = Awaited<ReturnType<typeof startPostgresFixture>>;
