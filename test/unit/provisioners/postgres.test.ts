import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createPostgresProvisioner, loginOf } from '../../../src/provisioners/postgres.js';
import { ProvisionerError, type AccessEvent } from '../../../src/provisioners/provisioner.js';
import { startPostgresFixture, TEST_POSTGRES_URL, type PostgresFixture } from '../../support/postgres.js';

const HOUR = 3_600_000;
const event = (type: AccessEvent['type'], email: string, expiresAt: number, slackId = 'U0ALICE'): AccessEvent => ({
  type,
  grant_id: 'grt-pg1',
  request_id: 'req-pg1',
  exception_id: null,
  resource: 'prod-db',
  user: { slack_id: slackId, email },
  granted_at: new Date(expiresAt - HOUR).toISOString(),
  expires_at: new Date(expiresAt).toISOString(),
  reason: 'INC-1',
  revoke_reason: type === 'access.revoke' ? 'expired' : null,
});

test('the login is the email local part, or the mapped name; unknown people have none', () => {
  assert.equal(loginOf('email_localpart', { slack_id: 'U1', email: 'alice.smith+ops@example.com' }), 'alice.smith+ops');
  assert.equal(loginOf('email_localpart', { slack_id: 'U1', email: null }), undefined);
  assert.equal(loginOf({ U0ALICE: 'alice' }, { slack_id: 'U0ALICE', email: null }), 'alice');
  assert.equal(loginOf({ U0ALICE: 'alice' }, { slack_id: 'U0BOB', email: 'bob@example.com' }), undefined);
});

test('with email_domain, only emails of those domains map (in any case); other domains and subdomains have no login', () => {
  const domains = ['example.com', 'corp.example'];
  assert.equal(loginOf('email_localpart', { slack_id: 'U1', email: 'alice@Example.COM' }, domains), 'alice');
  assert.equal(loginOf('email_localpart', { slack_id: 'U1', email: 'bob@corp.example' }, domains), 'bob');
  assert.equal(loginOf('email_localpart', { slack_id: 'U1', email: 'app_devs@anything.example' }, domains), undefined);
  assert.equal(loginOf('email_localpart', { slack_id: 'U1', email: 'alice@evil.example.com' }, domains), undefined);
  assert.equal(loginOf('email_localpart', { slack_id: 'U1', email: 'alice@example.com.evil' }, domains), undefined);
});

describe('the postgres provisioner, against the real PostgreSQL', () => {
  let pg: PostgresFixture;
  let alice: string;
  const provisioner = (extra: { terminateSessions?: boolean; validUntil?: boolean; emailDomains?: string[] } = {}) =>
    createPostgresProvisioner({
      connectionString: TEST_POSTGRES_URL,
      connectionEnv: 'PROD_DB_ADMIN_URL',
      role: pg.role,
      login: 'email_localpart',
      ...(extra.emailDomains ? { emailDomains: extra.emailDomains } : {}),
      terminateSessions: extra.terminateSessions ?? true,
      validUntil: extra.validUntil ?? true,
    });
  const failure = (attempt: Promise<void>) => attempt.then(() => assert.fail('expected a provisioning error'), (error: unknown) => error);

  before(async () => {
    pg = await startPostgresFixture();
    alice = await pg.createLogin('alice');
  });
  after(async () => {
    await pg.drop();
  });

  test('grant lets the login take on the role and read; revoke takes it away and ends its open session', async () => {
    const p = provisioner();
    const expires = Date.now() + HOUR;
    assert.match(await pg.readAs(alice), /permission denied to set role/, 'nothing before the grant');

    await p.apply(event('access.grant', `${alice}@example.com`, expires));
    await p.apply(event('access.grant', `${alice}@example.com`, expires)); // delivered twice: harmless
    assert.equal(await pg.readAs(alice), 'ok');
    assert.deepEqual(await p.check?.(), [alice], 'drift detection reads the members');
    assert.equal((await pg.validUntil(alice))?.getTime(), expires, 'VALID UNTIL is the grant end');

    const session = await pg.sessionAs(alice);
    const ended = new Promise<void>((resolve) => session.on('end', () => resolve()));
    await p.apply(event('access.revoke', `${alice}@example.com`, expires));
    await p.apply(event('access.revoke', `${alice}@example.com`, expires)); // again: harmless
    await ended;
    assert.match(await pg.readAs(alice), /permission denied to set role/);
    assert.deepEqual(await pg.members(), []);
    await p.close?.();
  });

  test('VALID UNTIL only ever moves later, so a shorter grant does not cut a longer one short', async () => {
    const p = provisioner();
    const later = Date.now() + 3 * HOUR;
    await p.apply(event('access.grant', `${alice}@example.com`, later));
    await p.apply(event('access.grant', `${alice}@example.com`, Date.now() + HOUR));
    assert.equal((await pg.validUntil(alice))?.getTime(), later);
    await p.apply(event('access.extend', `${alice}@example.com`, later + HOUR));
    assert.equal((await pg.validUntil(alice))?.getTime(), later + HOUR, 'an extension moves it');
    await p.apply(event('access.revoke', `${alice}@example.com`, later));
    await p.close?.();
  });

  test('a missing login, a missing role or no email is a clear provisioning error, not a crash', async () => {
    const p = provisioner();
    await assert.rejects(p.apply(event('access.grant', `${pg.prefix}_nobody@example.com`, Date.now() + HOUR)), /postgres: login "jit_[0-9a-f]+_nobody" does not exist in the database; create it, or map the person in provisioner\.login/);
    await assert.rejects(p.apply(event('access.grant', '', Date.now() + HOUR)), /U0ALICE has no email in Slack, so they have no login; map them in provisioner\.login/);
    const missing = await failure(p.apply(event('access.grant', `${pg.prefix}_nobody@example.com`, Date.now() + HOUR)));
    assert.ok(missing instanceof ProvisionerError && missing.permanent, 'a missing login is not fixed by retrying');
    const noRole = createPostgresProvisioner({ connectionString: TEST_POSTGRES_URL, connectionEnv: 'PROD_DB_ADMIN_URL', role: `${pg.prefix}_missing`, login: { U0ALICE: alice }, terminateSessions: false, validUntil: false });
    await assert.rejects(noRole.apply(event('access.grant', '', Date.now() + HOUR)), /role "jit_[0-9a-f]+_missing" does not exist/);
    await noRole.apply(event('access.revoke', '', Date.now())); // nothing to take away: done
    const permanence = async (attempt: Promise<void>) => attempt.then(() => undefined, (error: unknown) => error instanceof ProvisionerError && error.permanent);
    assert.deepEqual(
      [await permanence(p.apply(event('access.grant', `${pg.prefix}_nobody@example.com`, Date.now() + HOUR))), await permanence(p.apply(event('access.grant', '', Date.now() + HOUR))), await permanence(noRole.apply(event('access.grant', '', Date.now() + HOUR)))],
      [true, true, true],
      'retrying cannot fix a missing login or role',
    );
    assert.deepEqual(await noRole.probe?.(), [`role "${pg.prefix}_missing" does not exist`]);
    await Promise.all([p.close?.(), noRole.close?.()]);
  });

  test('an email outside email_domain is a permanent provisioning error naming the domains; nothing is granted', async () => {
    const p = provisioner({ emailDomains: ['example.com'] });
    const error = await failure(p.apply(event('access.grant', `${alice}@anything.example`, Date.now() + HOUR)));
    assert.ok(error instanceof ProvisionerError && error.permanent, 'retrying cannot fix it');
    assert.match(error.message, /postgres: U0ALICE's Slack email is not in provisioner\.email_domain \(example\.com\), so they have no login; map them in provisioner\.login/);
    assert.deepEqual(await pg.members(), []);
    await p.apply(event('access.grant', `${alice}@EXAMPLE.com`, Date.now() + HOUR));
    assert.deepEqual(await pg.members(), [alice]);
    await p.apply(event('access.revoke', `${alice}@example.com`, Date.now()));
    await p.close?.();
  });

  test("a group role, a role that cannot log in, a superuser and jitbot's own login are refused for good, and revoking never ends their sessions", async () => {
    const group = await pg.createRole('app_devs', 'LOGIN');
    await pg.admin.query(`GRANT ${group} TO ${alice}`);
    const nologin = await pg.createRole('readers', 'NOLOGIN');
    const root = await pg.createRole('root', 'LOGIN SUPERUSER');
    const own = new URL(TEST_POSTGRES_URL).username;
    const p = provisioner();
    const refused: [string, RegExp][] = [
      [group, /login "jit_[0-9a-f]+_app_devs" has members \(a group role: they would all get "jit_[0-9a-f]+_rw"\); jitbot grants only personal logins/],
      [nologin, /role "jit_[0-9a-f]+_readers" cannot log in, so it is nobody's personal login/],
      [root, /login "jit_[0-9a-f]+_root" is a superuser; jitbot grants only personal logins/],
      [own, /login "postgres" is the one jitbot connects as \(PROD_DB_ADMIN_URL\); jitbot grants only personal logins/],
    ];
    for (const [login, why] of refused) {
      const error = await failure(p.apply(event('access.grant', `${login}@example.com`, Date.now() + HOUR)));
      assert.ok(error instanceof ProvisionerError && error.permanent, `${login}: retrying cannot fix it`);
      assert.match(error.message, why);
    }
    assert.deepEqual(await pg.members(), [], 'nobody got the role');
    const mapped = createPostgresProvisioner({ connectionString: TEST_POSTGRES_URL, connectionEnv: 'PROD_DB_ADMIN_URL', role: pg.role, login: { U0ALICE: alice, U0ROOT: root }, terminateSessions: false, validUntil: false });
    assert.deepEqual(await mapped.probe?.(), [`login "${root}" is a superuser; jitbot grants only personal logins; map the person to their own in provisioner.login`], 'policy check --probe names a mapped login that is not personal');
    await mapped.close?.();

    // The role held anyway (given before this rule, or outside jitbot) and a live session: the
    // revoke takes the role away, but the service's session is not ended.
    await pg.admin.query(`GRANT ${pg.role} TO ${group}`);
    const session = await pg.sessionAs(group);
    const validUntil = await pg.validUntil(group);
    await p.apply(event('access.revoke', `${group}@example.com`, Date.now()));
    assert.deepEqual(await pg.members(), [], 'the role is jitbot\'s to take away');
    assert.deepEqual((await session.query<{ one: number }>('select 1 as one')).rows, [{ one: 1 }], 'the session lives');
    assert.equal(await pg.validUntil(group), validUntil);
    await session.end();
    await p.close?.();
  });

  test('valid_until never gives an expiry to a login whose password never expires (a service account keeps working)', async () => {
    const service = await pg.createRole('svc_payments', 'LOGIN');
    const forever = await pg.createRole('svc_forever', "LOGIN VALID UNTIL 'infinity'");
    const p = provisioner();
    for (const login of [service, forever]) {
      const before = await pg.validUntil(login);
      await p.apply(event('access.grant', `${login}@example.com`, Date.now() + HOUR));
      assert.equal(await pg.readAs(login), 'ok', 'the grant itself works');
      assert.deepEqual(await pg.validUntil(login), before, `${login}: VALID UNTIL unchanged`);
      await p.apply(event('access.revoke', `${login}@example.com`, Date.now()));
    }
    await p.close?.();
  });

  test('identifiers are quoted by the driver: a hostile login name is a name, not SQL', async () => {
    const p = createPostgresProvisioner({ connectionString: TEST_POSTGRES_URL, connectionEnv: 'PROD_DB_ADMIN_URL', role: pg.role, login: { U0EVE: `x"; DROP ROLE "${alice}` }, terminateSessions: false, validUntil: false });
    await assert.rejects(p.apply(event('access.grant', '', Date.now() + HOUR, 'U0EVE')), /login "x"; DROP ROLE .* does not exist/);
    assert.equal((await pg.admin.query('select 1 from pg_roles where rolname = $1', [alice])).rowCount, 1, 'alice is still there');
    await p.close?.();
  });

  test('an unreachable database is a failed attempt naming the variable, never the connection string', async () => {
    const p = createPostgresProvisioner({ connectionString: 'postgres://postgres:s3cret@127.0.0.1:1/test', connectionEnv: 'PROD_DB_ADMIN_URL', role: pg.role, login: 'email_localpart', terminateSessions: false, validUntil: false, connectTimeoutMs: 1_000 });
    const error = await p.apply(event('access.revoke', `${alice}@example.com`, Date.now())).then(() => undefined, (e: unknown) => e);
    assert.match(String(error), /postgres: cannot reach PostgreSQL \(PROD_DB_ADMIN_URL\)/);
    assert.doesNotMatch(String(error), /s3cret/);
    assert.equal(error instanceof ProvisionerError && error.permanent, false, 'a database that may come back is retried as usual');
    assert.deepEqual((await p.probe?.())?.length, 1);
    await p.close?.();
  });
});
