import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { QUOTED_TEXT_LIMIT, quotedFromOutside, redactSecrets } from '../../../src/domain/redact.js';

describe('redactSecrets', () => {
  const cases: [string, string, string][] = [
    ['a webhook URL loses its credentials and query', 'HTTP 500 from http://svc:hunter2@hooks.internal:8080/grant?code=s3cret', 'HTTP 500 from http://hooks.internal:8080/grant'],
    ['a fragment is dropped', 'see https://idp.example.com/p#token-abc', 'see https://idp.example.com/p'],
    ['a URL without secrets is kept', 'cannot reach https://access.internal/hooks/prod-db: ECONNREFUSED', 'cannot reach https://access.internal/hooks/prod-db: ECONNREFUSED'],
    ['punctuation after a URL stays', '(at http://u:p@h/x?q=1).', '(at http://h/x).'],
    ['PostgreSQL', 'connecting to postgres://admin:pg-pass@db.internal:5432/app?sslmode=require failed', 'connecting to postgres://db.internal:5432/app failed'],
    ['postgresql scheme', 'postgresql://jitbot:pw1@10.0.0.5/app', 'postgresql://10.0.0.5/app'],
    ['Redis with a password only', 'REDIS_URL: cannot reach Redis at redis://:pw@127.0.0.1:1 (no answer within 5 s)', 'REDIS_URL: cannot reach Redis at redis://127.0.0.1:1 (no answer within 5 s)'],
    ['rediss with a user', 'rediss://default:abc123@cache.example.com:6380/0', 'rediss://cache.example.com:6380/0'],
    ['MySQL', 'mysql://root:maria-pw@127.0.0.1:3306/db', 'mysql://127.0.0.1:3306/db'],
    ['AMQP', 'amqp://guest:rabbit-pw@mq/vhost', 'amqp://mq/vhost'],
    ['a password with unencoded / ? and @', 'mongodb://u:pa/s?s@w@mongo.internal/db', 'mongodb://mongo.internal/db'],
    ['an @ in the query is not taken for credentials', 'https://api.example.com/users?email=a@b.c', 'https://api.example.com/users'],
    ['an IPv6 host', 'redis://:pw@[::1]:6379', 'redis://[::1]:6379'],
    ['libpq keywords', "host=db user=jitbot password=kw-secret dbname=app", 'host=db user=jitbot password=[redacted] dbname=app'],
    ['a quoted libpq password', "password='two words' host=db", 'password=[redacted] host=db'],
    ['a ;-separated connection string', 'Server=db;User Id=sa;Password=semi-secret;', 'Server=db;User Id=sa;Password=[redacted];'],
    ['JSON secret fields', '{"error":"denied","client_secret":"cs-1","api_key": "k-2"}', '{"error":"denied","client_secret":"[redacted]","api_key": "[redacted]"}'],
    ['a bearer token', 'sent Authorization: Bearer abc.def-ghi', 'sent Authorization: Bearer [redacted]'],
    ['a Slack token', 'token xoxb-123-456-abcdef rejected', 'token [redacted] rejected'],
    ["jitbot's own words are left alone", 'postgres: login "jdoe" does not exist in the database; create it', 'postgres: login "jdoe" does not exist in the database; create it'],
    ['an exit code is not a secret', './bin/vpn-access exited with code 1', './bin/vpn-access exited with code 1'],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => {
      assert.equal(redactSecrets(input), expected);
      assert.equal(redactSecrets(expected), expected, 'redacting twice changes nothing more');
    });
  }
});

describe('quotedFromOutside', () => {
  test('is redacted, on one line, and capped', () => {
    const quoted = quotedFromOutside(`line one\nuse postgres://a:leak@db/x\n${'x'.repeat(1_000)}`);
    assert.ok(!quoted.includes('leak'));
    assert.ok(!quoted.includes('\n'));
    assert.equal(quoted.length, QUOTED_TEXT_LIMIT);
    assert.ok(quoted.startsWith('line one use postgres://db/x '));
    assert.ok(quoted.endsWith('…'));
  });

  test("with keep: 'end', the end is kept (a program's last words)", () => {
    const quoted = quotedFromOutside(`${'x'.repeat(1_000)} failed: see redis://:leak@cache:6379`, { keep: 'end' });
    assert.equal(quoted.length, QUOTED_TEXT_LIMIT);
    assert.ok(quoted.startsWith('…'));
    assert.ok(quoted.endsWith('failed: see redis://cache:6379'));
  });

  test('a short text is kept whole', () => {
    assert.equal(quotedFromOutside('  receiver says 503 '), 'receiver says 503');
  });
});
