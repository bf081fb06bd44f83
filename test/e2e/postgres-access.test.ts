import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { parsePolicy } from '../../src/config/load-policy.js';
import { eventually, requestIdIn, startHarness, testPolicy, USERS, type Harness } from '../support/harness.js';
import { startPostgresFixture, TEST_POSTGRES_URL, type PostgresFixture } from '../support/postgres.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const MINUTE = 60_000;

/** The story every JIT article starts with: a developer needs the production database for a while. */
describe('production database access, end to end through the real PostgreSQL', () => {
  let pg: PostgresFixture;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let h: Harness;
  let login: string;
  /** pgdb maps people to logins; pgmail takes the email's local part, for corp.example only. */
  const resources = (logins: string) => `
  pgdb:
    channel: C0PG
    approvers: [db-leads]
    max_duration: 2h
    provisioner:
      type: postgres
      connection_env: PROD_PG_URL
      role: ${pg.role}
      login: { ${logins} }
      terminate_sessions: true
      valid_until: true
  pgmail:
    channel: C0PG
    approvers: [db-leads]
    max_duration: 2h
    break_glass: { allowed: true }
    provisioner: { type: postgres, connection_env: PROD_PG_URL, role: ${pg.role}, login: email_localpart, email_domain: corp.example }
`;

  before(async () => {
    pg = await startPostgresFixture();
    login = await pg.createLogin('alice');
    const target = new URL(TEST_POSTGRES_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(TEST_POSTGRES_URL);
    viaProxy.port = String(proxy.port);
    h = await startHarness({
      secrets: { PROD_PG_URL: viaProxy.toString() },
      retry: { attempts: 6, backoffMs: 300 },
      policyExtra: resources(`${USERS.alice}: ${login}, ${USERS.bob}: ${pg.prefix}_bob`),
    });
  });
  after(async () => {
    await h.close();
    await proxy.close();
    await pg.drop();
  });

  const grantOf = async (text: string) => {
    const requestId = requestIdIn(await h.ask(USERS.alice, text));
    await h.click(USERS.lead, 'approve', requestId);
    const grant = await eventually('the grant to be provisioned', () => {
      const g = h.grantFor(requestId);
      return g?.provisioned_at ? g : undefined;
    });
    return grant;
  };

  test('two overlapping grants: access stays until the last one ends, then goes with the open session', async () => {
    assert.match(await pg.readAs(login), /permission denied to set role/);
    const first = await grantOf('pgdb 10m fix the index INC-1');
    const second = await grantOf('pgdb 40m and the migration INC-2');
    assert.equal(await pg.readAs(login), 'ok');
    assert.equal((await pg.validUntil(login))?.getTime(), second.expires_at, 'VALID UNTIL follows the later grant');

    h.clock.advance(11 * MINUTE);
    await eventually('the first grant to be revoked', () => (h.grantById(first.id)?.status === 'revoked' ? true : undefined));
    assert.equal(await pg.readAs(login), 'ok', 'the second grant still gives access');
    const covered = h.sqlite.prepare("select details from audit_events where subject_id = ? and action = 'grant.revoked'").pluck().get(first.id) as string;
    assert.equal((JSON.parse(covered) as { still_covered_by?: string }).still_covered_by, second.id);

    const session = await pg.sessionAs(login);
    const ended = new Promise<void>((resolve) => session.on('end', () => resolve()));
    // The database is unreachable when the second grant ends: the revocation is retried until it is back.
    proxy.down();
    h.clock.advance(30 * MINUTE);
    await eventually('a failed revocation attempt', async () => (await h.bot.store.findGrant(second.id))?.revokeError ?? undefined);
    assert.match((await h.bot.store.findGrant(second.id))?.revokeError ?? '', /postgres: cannot reach PostgreSQL \(PROD_PG_URL\)/);
    await sleep(500);
    proxy.up();
    await eventually('the second grant to be revoked', () => (h.grantById(second.id)?.status === 'revoked' ? true : undefined), 15_000);
    await ended;
    assert.match(await pg.readAs(login), /permission denied to set role/);
    assert.deepEqual(await pg.members(), []);
  });

  test('the approval message shows the login to be granted; someone whose email maps to no login is refused at /request', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'pgdb 10m which login INC-8'));
    const post = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0PG' && JSON.stringify(c.args['blocks']).includes(requestId));
    assert.match(JSON.stringify(post.args['blocks']), new RegExp(`Granted as\\*\\\\n\`${login}\` \\(postgres\\)`));
    await h.ask(USERS.alice, `cancel ${requestId}`);

    const requests = () => h.sqlite.prepare('select count(*) from requests').pluck().get();
    const before = requests();
    // Alice's Slack email is u0alice@example.com; pgmail maps corp.example emails only.
    assert.match(await h.ask(USERS.alice, 'pgmail 10m INC-9'), /No postgres account on pgmail maps to you \(your Slack email is u0alice@example\.com\), so access could not be set up/);
    assert.match(await h.ask(USERS.alice, 'pgmail 10m --emergency INC-9'), /No postgres account on pgmail maps to you/);
    assert.equal(requests(), before, 'nothing requested');
  });

  test('a person with no login is a clear provisioning error for the requester, the approvers and the security channel, not a crash', async () => {
    const requestId = requestIdIn(await h.ask(USERS.bob, 'pgdb 10m look at a slow query INC-3'));
    // Bob's login is taken out of the map while his request waits.
    const reloaded = await h.bot.reloadPolicy(parsePolicy(testPolicy(h.webhook.url, resources(`${USERS.alice}: ${login}`)), 'test-policy.yaml'));
    assert.equal(reloaded.kind, 'reloaded');
    await h.click(USERS.lead, 'approve', requestId);
    const alert = await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && /U0BOB has no login in provisioner\.login/.test(String(c.args['text'])), 20_000);
    assert.ok(alert);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === USERS.bob && /no login in provisioner\.login/.test(String(c.args['text'])));
    const approval = await h.bot.store.findRequest(requestId);
    await h.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0PG' && c.args['thread_ts'] === approval?.approvalTs && /no login/.test(String(c.args['text'])));
    assert.equal(h.grantFor(requestId)?.provisioned_at, null);
  });
});

describe('drift detection against the real PostgreSQL', () => {
  let watched: PostgresFixture;
  let cleaned: PostgresFixture;
  let h: Harness;
  let alice: string;
  let mallory: string;
  const driftAlerts = (pattern: RegExp) => h.slack.callsTo('chat.postMessage').filter((c) => c.args['channel'] === 'C0SECURITY' && pattern.test(String(c.args['text'])));
  const openFindings = () =>
    h.sqlite.prepare('select kind, identity, grant_id, resolution from drift_findings where resolved_at is null order by kind').all() as { kind: string; identity: string; grant_id: string | null }[];

  before(async () => {
    watched = await startPostgresFixture();
    cleaned = await startPostgresFixture();
    alice = await watched.createLogin('alice');
    mallory = await watched.createLogin('mallory');
    const resource = (name: string, role: string, revokeUnmanaged: boolean) => `
  ${name}:
    channel: C0PG
    approvers: [db-leads]
    max_duration: 2h
    revoke_unmanaged: ${revokeUnmanaged}
    provisioner: { type: postgres, connection_env: PROD_PG_URL, role: ${role}, login: { ${USERS.alice}: ${alice} } }
`;
    h = await startHarness({
      secrets: { PROD_PG_URL: TEST_POSTGRES_URL },
      policyExtra: resource('pgdb', watched.role, false) + resource('pgclean', cleaned.role, true),
    });
  });
  after(async () => {
    await h.close();
    await cleaned.drop();
    await watched.drop();
  });

  test('access granted outside jitbot, and a grant whose access vanished, are recorded and alerted once', async () => {
    const requestId = requestIdIn(await h.ask(USERS.alice, 'pgdb 1h INC-7 vacuum'));
    await h.click(USERS.lead, 'approve', requestId);
    const grant = await eventually('the grant to be provisioned', () => (h.grantFor(requestId)?.provisioned_at ? h.grantFor(requestId) : undefined));
    await sleep(1_500);
    assert.deepEqual(openFindings(), [], 'a grant and its access agree: no drift');

    await watched.admin.query(`GRANT ${watched.role} TO ${mallory}`);
    await watched.admin.query(`REVOKE ${watched.role} FROM ${alice}`);
    await eventually('both findings', () => (openFindings().length === 2 ? true : undefined), 10_000);
    assert.deepEqual(openFindings(), [
      { kind: 'missing', identity: alice, grant_id: grant?.id ?? '', resolution: null },
      { kind: 'unmanaged', identity: mallory, grant_id: null, resolution: null },
    ]);
    await sleep(2_500); // a few more checks
    assert.equal(driftAlerts(new RegExp(`\`${mallory}\` holds the access .* without a jitbot grant`)).length, 1, 'alerted once');
    assert.equal(driftAlerts(new RegExp(`grant \`${grant?.id ?? ''}\` of <@${USERS.alice}> is active, but \`${alice}\` no longer has the access`)).length, 1);
    assert.deepEqual(await watched.members(), [mallory], 'without revoke_unmanaged, jitbot only reports');

    assert.match(await h.ask(USERS.sec, 'review'), /Security review/);
    const review = await h.slack.waitForCall('chat.postMessage', (c) => String(c.args['text']).startsWith('Security review'));
    assert.match(JSON.stringify(review.args['blocks']), /Drift findings\*\\n2/);

    await watched.admin.query(`REVOKE ${watched.role} FROM ${mallory}`);
    await eventually('the unmanaged finding to resolve as gone', () => (openFindings().every((f) => f.kind !== 'unmanaged') ? true : undefined), 10_000);
    const actions = h.sqlite.prepare("select action from audit_events where action like 'drift.%' and subject_id = ? order by seq").pluck().all(mallory);
    assert.deepEqual(actions, ['drift.unmanaged', 'drift.resolved']);
  });

  test('with revoke_unmanaged, access held without a grant is removed', async () => {
    await cleaned.admin.query(`GRANT ${cleaned.role} TO ${mallory}`);
    await eventually('the unmanaged access to be removed', async () => ((await cleaned.members()).length === 0 ? true : undefined), 10_000);
    await eventually('the removal alert', () => driftAlerts(new RegExp(`removed \`${mallory}\`'s access`))[0]);
    const actions = h.sqlite.prepare("select action from audit_events where action like 'drift.%' and details like ? order by seq").pluck().all(`%${cleaned.role}%`);
    assert.deepEqual(actions, ['drift.unmanaged', 'drift.revoked']);
  });
});
