import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, USERS, type Harness } from '../support/harness.js';
import { fuzzSettings, inParallel, rawExchange, type Random } from '../support/fuzz.js';

const ADMIN_TOKEN = 'fuzz-admin-token-0123456789';
const METRICS_TOKEN = 'fuzz-metrics-token-0123456789';

const portOf = (h: Harness) => Number(new URL(h.eventsUrl).port);

const rowCounts = (h: Harness) => ({ requests: h.count('requests'), grants: h.count('grants'), exceptions: h.count('exceptions') });

const auditActions = (h: Harness) => (h.sqlite.prepare('select distinct action from audit_events').all() as { action: string }[]).map((r) => r.action);

/** Every byte as %XX, so even broken UTF-16 (a lone surrogate) becomes a body. */
const percentEncoded = (text: string) => [...Buffer.from(text)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

/** One HTTP/1.x request as bytes, some parts of it broken in the ways `random` picks. */
function malformedRequest(random: Random): Buffer {
  const eol = random.chance(0.85) ? '\r\n' : random.pick(['\n', '\r', '\n\r', '']);
  const method = random.chance(0.7) ? random.pick(['GET', 'POST', 'HEAD']) : random.pick(['PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'get', 'G ET', '', 'PRI', random.text(12)]);
  const known = random.pick(['/slack/events', '/healthz', '/metrics', '/api/grants', '/api/audit', '/api/requests', '/api', '/', '/console/', '/auth/slack/callback']);
  const target = random.pick([
    known,
    `/${known}`,
    `//${known}`,
    '//',
    '///',
    '//@',
    '/\\',
    '/\\\\x',
    '//[',
    '//a:b@',
    '//:99999',
    '*',
    `http://example.com${known}`,
    `http://[${known}`,
    `${known}?${random.text(40)}`,
    `${known}?limit=${random.pick(['0', '-1', '1e9', 'NaN', 'abc', ''])}&cursor=${random.text(20)}&since=${random.text(10)}`,
    `${known}%${random.text(5)}`,
    `${known}#${random.text(10)}`,
    known.replace('/', '/%2e%2e/'),
    `/${'a'.repeat(random.int(20_000))}`,
    random.text(60),
  ]);
  const version = random.chance(0.8) ? random.pick(['HTTP/1.1', 'HTTP/1.0']) : random.pick(['HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1 extra', 'http/1.1', '', random.text(8)]);
  const headers: string[] = [];
  if (random.chance(0.9)) headers.push(`Host: ${random.chance(0.9) ? 'localhost' : random.text(20)}`);
  if (random.chance(0.6)) headers.push(`Content-Type: ${random.pick(['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', random.text(30)])}`);
  if (random.chance(0.5)) headers.push(`Authorization: ${random.pick([`Bearer ${ADMIN_TOKEN}`, `Bearer ${METRICS_TOKEN}`, 'Bearer ', 'Bearer wrong', `Basic ${random.text(20)}`, random.text(40)])}`);
  if (random.chance(0.5)) headers.push(`X-Slack-Request-Timestamp: ${random.pick([String(Math.floor(Date.now() / 1000)), String(Math.floor(Date.now() / 1000) + 3_600), '-1', '1e99', 'NaN', random.text(12)])}`);
  if (random.chance(0.5)) headers.push(`X-Slack-Signature: ${random.pick(['v0=' + 'ab'.repeat(32), 'v0=', 'v1=abc', '=', random.text(70)])}`);
  if (random.chance(0.2)) headers.push(`X-Slack-Retry-Num: ${random.text(4)}`);
  if (random.chance(0.15)) headers.push(random.pick(['NoColonHeader', ': empty-name', ' folded: value', 'X-Long: ' + 'x'.repeat(random.int(100_000)), `X-Bytes: ${random.bytes(20).toString('latin1')}`, 'Content-Length: 5', 'Connection: keep-alive']));
  if (random.chance(0.1)) headers.push(`Accept-Encoding: ${random.pick(['gzip', 'br', 'x-nonsense', random.text(10)])}`);
  if (random.chance(0.1)) headers.push(`Content-Encoding: ${random.pick(['gzip', 'deflate', 'identity', random.text(10)])}`);

  const body = random.pick([
    Buffer.alloc(0),
    Buffer.from(random.text(200)),
    random.bytes(random.int(500)),
    Buffer.from(`payload=${percentEncoded(random.pick(['{', '[]', 'null', '{"type":"block_actions"}', '{"type":"url_verification","challenge":"x"}', random.text(100)]))}`),
    Buffer.from(random.pick(['{"type":"url_verification","challenge":"c"}', '{"type":"event_callback","event":{}}', '{', 'ssl_check=1&payload=x', 'ssl_check=1', '[]', '""'])),
  ]);
  const framing = random.int(5);
  if (framing === 0) headers.push(`Content-Length: ${body.length}`);
  if (framing === 1) headers.push(`Content-Length: ${random.pick([String(body.length + 10), '-1', 'abc', '99999999999999999999', `${body.length}, ${body.length}`])}`);
  if (framing === 2) headers.push('Transfer-Encoding: chunked');
  if (framing === 3) headers.push('Transfer-Encoding: chunked', `Content-Length: ${body.length}`);
  const payload =
    framing === 2 || framing === 3
      ? Buffer.concat([Buffer.from(random.pick([`${body.length.toString(16)}\r\n`, 'zz\r\n', '-1\r\n', `${body.length.toString(16)};ext\r\n`])), body, Buffer.from(random.pick(['\r\n0\r\n\r\n', '\r\n', '']))])
      : body;
  const head = random.chance(0.05) ? random.bytes(random.int(300)) : Buffer.from(`${method} ${target} ${version}${eol}${headers.join(eol)}${eol}${eol}`, 'latin1');
  return Buffer.concat([head, payload]);
}

describe('no HTTP request crashes the bot', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ adminToken: ADMIN_TOKEN, env: { METRICS_TOKEN } });
  });
  after(async () => {
    await h.close();
  });

  for (const target of ['//', '///', '//@', '/\\', '//api/grants', '/api//@']) {
    test(`GET ${target} is answered 4xx and the bot keeps serving`, async () => {
      const { status } = await rawExchange(portOf(h), Buffer.from(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n`, 'latin1'));
      assert.ok(status !== undefined && status >= 400 && status < 500, `answered ${status}`);
      assert.equal((await fetch(h.eventsUrl.replace('/slack/events', '/healthz'))).status, 200);
    });
  }

  test('thousands of malformed requests are each refused, and the bot stays healthy having written nothing but refusals', async () => {
    const { seed, cases, random } = fuzzSettings('HTTP fuzz', 2_000);
    const requests = Array.from({ length: cases }, () => malformedRequest(random));
    const serverErrors: string[] = [];
    await inParallel(cases, 16, async (index) => {
      const request = requests[index] ?? Buffer.alloc(0);
      const { status } = await rawExchange(portOf(h), request);
      if (status !== undefined && status >= 500) serverErrors.push(`case ${index} answered ${status}: ${JSON.stringify(request.subarray(0, 200).toString('latin1'))}`);
    });
    assert.deepEqual(serverErrors, [], `FUZZ_SEED=${seed}`);
    assert.equal((await fetch(h.eventsUrl.replace('/slack/events', '/healthz'))).status, 200, `FUZZ_SEED=${seed}`);
    assert.deepEqual(rowCounts(h), { requests: 0, grants: 0, exceptions: 0 }, `FUZZ_SEED=${seed}`);
    assert.deepEqual(auditActions(h).filter((action) => action !== 'api.unauthorized'), [], `FUZZ_SEED=${seed}: only refusals are audited`);
    assert.match(await h.ask(USERS.alice, 'help'), /\/request list/, 'Slack is still answered');
  });
});
