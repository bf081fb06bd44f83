import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../../../src/config/errors.js';
import { parsePolicy } from '../../../src/config/load-policy.js';
import { systemClock } from '../../../src/domain/clock.js';
import { ProvisionerError, type AccessEvent } from '../../../src/provisioners/provisioner.js';
import { createProvisioners } from '../../../src/provisioners/registry.js';

const EXAMPLE = new URL('../../../examples/provisioners/http-idp.mjs', import.meta.url).pathname;

const policyWith = (provisioner: string) =>
  parsePolicy(`resources:\n  prod-db:\n    channel: C0DB\n    approvers: [U0LEAD]\n    max_duration: 1h\n    provisioner: ${provisioner}\n`, 'test.yaml').policy;

const event = (type: AccessEvent['type'], email: string | null): AccessEvent => ({
  type, grant_id: 'grt-m1', request_id: 'req-m1', exception_id: null, resource: 'prod-db', user: { slack_id: 'U0ALICE', email },
  granted_at: '2026-11-25T10:00:00.000Z', expires_at: '2026-11-25T11:00:00.000Z', reason: 'INC-1', revoke_reason: null,
});

/** The identity provider the README's example module talks to. */
function startIdp(token: string) {
  const members = new Set<string>(['mallory@example.com']);
  const server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://idp').pathname);
    const one = /^\/api\/groups\/admins\/members\/(.+)$/.exec(path)?.[1];
    if (req.method === 'GET' && path === '/api/groups/admins/members') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ members: [...members].sort() }));
    if (one && req.method === 'PUT') return void (members.add(one), res.writeHead(204).end());
    if (one && req.method === 'DELETE') return void res.writeHead(members.delete(one) ? 204 : 404).end();
    res.writeHead(404).end();
  });
  return { server, members };
}

describe('module provisioners', () => {
  let dir: string;
  let idp: ReturnType<typeof startIdp>;
  let baseUrl: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jitbot-module-'));
    idp = startIdp('idp-token');
    await new Promise<void>((resolve) => idp.server.listen(0, '127.0.0.1', resolve));
    const address = idp.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/`;
  });
  after(async () => {
    await new Promise<void>((resolve) => (idp.server as Server).close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  test("the README's example module grants, revokes, reports holders and probes through the Provisioner interface", async () => {
    const policy = policyWith(`{ type: module, path: ${EXAMPLE}, options: { base_url: "${baseUrl}", group: admins, token_env: IDP_TOKEN } }`);
    const provisioners = createProvisioners({ policy, policyDir: dir, env: { IDP_TOKEN: 'idp-token' }, clock: systemClock });
    assert.equal(provisioners.get('prod-db'), undefined, 'modules are imported by load()');
    await provisioners.load();
    const p = provisioners.get('prod-db');
    assert.ok(p);
    assert.deepEqual([p.type, p.target], ['module', 'http-idp:admins']);
    await p.apply(event('access.grant', 'alice@example.com'));
    assert.deepEqual(await p.check?.(), ['alice@example.com', 'mallory@example.com']);
    assert.equal(p.identify?.({ slack_id: 'U0ALICE', email: 'alice@example.com' }), 'alice@example.com');
    await p.removeUnmanaged?.('mallory@example.com');
    await p.apply(event('access.revoke', 'alice@example.com'));
    await p.apply(event('access.revoke', 'alice@example.com'));
    assert.deepEqual([...idp.members], []);
    assert.deepEqual(await p.probe?.(), []);
    await assert.rejects(p.apply(event('access.grant', null)), (error: unknown) => error instanceof Error && error.name === 'ProvisionerError' && /module: U0ALICE has no email in Slack/.test(error.message));
    await assert.rejects(p.apply(event('access.grant', null)), (error: unknown) => error instanceof ProvisionerError && error.permanent, 'the example marks it permanent');
  });

  test('a module marks an error retrying cannot fix with permanent: true; any other error is retried as usual', async () => {
    writeFileSync(join(dir, 'picky.mjs'), 'export default () => ({ apply: async (e) => { throw Object.assign(new Error(`no ${e.user.slack_id}`), { permanent: e.type === "access.grant" }); } });');
    const provisioners = createProvisioners({ policy: policyWith('{ type: module, path: ./picky.mjs }'), policyDir: dir, env: {}, clock: systemClock });
    await provisioners.load();
    const p = provisioners.get('prod-db');
    assert.ok(p);
    const failure = (type: AccessEvent['type']) => p.apply(event(type, null)).then(() => undefined, (error: unknown) => error);
    assert.ok((await failure('access.grant')) instanceof ProvisionerError);
    assert.deepEqual([await failure('access.grant'), await failure('access.revoke')].map((e) => e instanceof ProvisionerError && [e.message, e.permanent]), [
      ['module: no U0ALICE', true],
      ['module: no U0ALICE', false],
    ]);
  });

  test('a module that is missing, exports no factory, throws while starting, or returns no apply stops start-up naming the path', async () => {
    const at = (file: string, body: string) => {
      writeFileSync(join(dir, file), body);
      return policyWith(`{ type: module, path: ./${file} }`);
    };
    assert.throws(() => createProvisioners({ policy: policyWith('{ type: module, path: ./nope.mjs }'), policyDir: dir, env: {}, clock: systemClock }), /resources\.prod-db\.provisioner\.path: .*nope\.mjs does not exist/);
    const cases: [string, string, RegExp][] = [
      ['no-factory.mjs', 'export const x = 1;', /must export a default function/],
      ['throws.mjs', 'export default () => { throw new Error("IDP_TOKEN missing"); };', /failed to create its provisioner \(IDP_TOKEN missing\)/],
      ['no-apply.mjs', 'export default () => ({ type: "x" });', /returned no provisioner: apply expected a function/],
      ['syntax.mjs', 'export default (', /cannot load/],
    ];
    for (const [file, body, problem] of cases) {
      const provisioners = createProvisioners({ policy: at(file, body), policyDir: dir, env: {}, clock: systemClock });
      await assert.rejects(provisioners.load(), (error: unknown) => error instanceof ConfigError && /resources\.prod-db\.provisioner\.path: /.test(error.message) && problem.test(error.message));
    }
  });
});
