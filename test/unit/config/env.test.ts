import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseEnv } from '../../../src/config/env.js';
import { ConfigError } from '../../../src/config/errors.js';
import { describeRedis, redisSettings } from '../../../src/jobs/redis-connection.js';
import { TEST_AUDIT_KEY } from '../../support/audit-key.js';

const KEY = { AUDIT_HMAC_KEY: TEST_AUDIT_KEY };
const HTTP_MODE = { SLACK_BOT_TOKEN: 'xoxb-123-abc', SLACK_SIGNING_SECRET: 'shh', ...KEY };

function configError(source: NodeJS.ProcessEnv): ConfigError {
  try {
    parseEnv(source);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the environment to be refused');
}

describe('parseEnv', () => {
  test('JITBOT_ROLE is all by default, web or worker when split, and anything else is refused', () => {
    assert.equal(parseEnv(HTTP_MODE).JITBOT_ROLE, 'all');
    assert.equal(parseEnv({ ...HTTP_MODE, JITBOT_ROLE: 'worker' }).JITBOT_ROLE, 'worker');
    assert.match(configError({ ...HTTP_MODE, JITBOT_ROLE: 'both' }).message, /^environment: JITBOT_ROLE: expected one of all, web, worker/);
  });

  test('a missing SLACK_BOT_TOKEN stops start-up with a message naming it', () => {
    const error = configError({ SLACK_SIGNING_SECRET: 'shh' });
    assert.match(error.message, /^environment: SLACK_BOT_TOKEN: required/);
  });

  test('a bot token of the wrong kind is refused, naming the variable', () => {
    assert.match(configError({ ...HTTP_MODE, SLACK_BOT_TOKEN: 'xapp-1' }).message, /^environment: SLACK_BOT_TOKEN: expected a bot token starting with xoxb-/);
  });

  test('HTTP mode without SLACK_SIGNING_SECRET stops start-up with a message naming it', () => {
    const error = configError({ SLACK_BOT_TOKEN: 'xoxb-1', ...KEY });
    assert.match(error.message, /^environment: SLACK_SIGNING_SECRET: required in HTTP mode/);
    assert.match(error.message, /SLACK_APP_TOKEN/, 'the message says how Socket Mode avoids it');
  });

  test('with SLACK_APP_TOKEN (Socket Mode) the signing secret is optional', () => {
    const env = parseEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-abc', ...KEY });
    assert.equal(env.SLACK_APP_TOKEN, 'xapp-1-abc');
    assert.equal(env.SLACK_SIGNING_SECRET, undefined);
  });

  test('unset variables take the documented defaults', () => {
    const env = parseEnv(HTTP_MODE);
    assert.equal(env.PORT, 3000);
    assert.deepEqual(env.database, { kind: 'sqlite', path: './data/jitbot.sqlite' });
    assert.deepEqual(redisSettings(env), { kind: 'url', url: 'redis://127.0.0.1:6379' });
    assert.equal(env.POLICY_PATH, './policy.yaml');
    assert.equal(env.LOG_LEVEL, 'info');
    assert.equal(env.SLACK_API_URL, 'https://slack.com/api/');
    assert.equal(env.ADMIN_API_TOKEN, undefined, 'the admin API is off by default');
  });

  test('set variables override the defaults, and PORT becomes a number', () => {
    const env = parseEnv({
      ...HTTP_MODE,
      PORT: '8080',
      DATABASE_PATH: '/var/lib/jitbot/db.sqlite',
      REDIS_URL: 'rediss://cache:6380',
      POLICY_PATH: '/etc/jitbot/policy.yaml',
      LOG_LEVEL: 'debug',
    });
    assert.equal(env.PORT, 8080);
    assert.deepEqual(env.database, { kind: 'sqlite', path: '/var/lib/jitbot/db.sqlite' });
    assert.deepEqual(redisSettings(env), { kind: 'url', url: 'rediss://cache:6380' });
    assert.equal(env.POLICY_PATH, '/etc/jitbot/policy.yaml');
    assert.equal(env.LOG_LEVEL, 'debug');
  });

  test('empty strings count as unset: defaults apply', () => {
    const env = parseEnv({ ...HTTP_MODE, PORT: '', LOG_LEVEL: '', DATABASE_PATH: '', SLACK_APP_TOKEN: '' });
    assert.equal(env.PORT, 3000);
    assert.equal(env.LOG_LEVEL, 'info');
    assert.deepEqual(env.database, { kind: 'sqlite', path: './data/jitbot.sqlite' });
    assert.equal(env.SLACK_APP_TOKEN, undefined);
  });

  test('an empty SLACK_SIGNING_SECRET counts as missing in HTTP mode', () => {
    assert.match(configError({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: '', ...KEY }).message, /SLACK_SIGNING_SECRET: required in HTTP mode/);
  });

  test('an empty SLACK_BOT_TOKEN counts as missing', () => {
    assert.match(configError({ ...HTTP_MODE, SLACK_BOT_TOKEN: '' }).message, /^environment: SLACK_BOT_TOKEN: required/);
  });

  test('HOST is 0.0.0.0 and /metrics has neither a port nor a token unless set; each is checked', () => {
    const env = parseEnv(HTTP_MODE);
    assert.equal(env.HOST, '0.0.0.0');
    assert.equal(env.METRICS_PORT, undefined);
    assert.equal(env.METRICS_TOKEN, undefined);
    const set = parseEnv({ ...HTTP_MODE, HOST: '127.0.0.1', METRICS_PORT: '9464', METRICS_TOKEN: 'scrape-token-0123456789' });
    assert.deepEqual([set.HOST, set.METRICS_PORT, set.METRICS_TOKEN], ['127.0.0.1', 9464, 'scrape-token-0123456789']);
    assert.match(configError({ ...HTTP_MODE, METRICS_PORT: 'prom' }).message, /^environment: METRICS_PORT: expected a port number/);
    assert.match(configError({ ...HTTP_MODE, METRICS_TOKEN: 'short' }).message, /^environment: METRICS_TOKEN: expected at least 16 characters/);
    assert.match(configError({ ...HTTP_MODE, PORT: '8080', METRICS_PORT: '8080' }).message, /^environment: METRICS_PORT: must differ from PORT/);
    assert.match(configError({ ...HTTP_MODE, HOST: 'http://0.0.0.0/' }).message, /^environment: HOST: expected a listen address/);
  });

  test('PORT "abc" is refused, naming PORT', () => {
    assert.match(configError({ ...HTTP_MODE, PORT: 'abc' }).message, /^environment: PORT: expected a port number/);
  });

  test('PORT outside 0–65535 is refused, naming PORT', () => {
    assert.match(configError({ ...HTTP_MODE, PORT: '70000' }).message, /^environment: PORT: /);
  });

  test('an unknown LOG_LEVEL is refused and the message lists the levels', () => {
    assert.match(configError({ ...HTTP_MODE, LOG_LEVEL: 'verbose' }).message, /^environment: LOG_LEVEL: expected one of .*info.*debug/);
  });

  test('a REDIS_URL that is not redis:// is refused, naming it', () => {
    assert.match(configError({ ...HTTP_MODE, REDIS_URL: 'localhost:6379' }).message, /^environment: REDIS_URL: expected a URL like redis:/);
  });

  test('REDIS_SENTINELS reaches Redis through the Sentinels, by the master name mymaster unless REDIS_SENTINEL_NAME says otherwise', () => {
    const env = parseEnv({ ...HTTP_MODE, REDIS_SENTINELS: '10.0.0.5:26379, sentinel-b.internal:26380,[fd00::7]:26379' });
    assert.deepEqual(redisSettings(env), {
      kind: 'sentinel',
      name: 'mymaster',
      sentinels: [
        { host: '10.0.0.5', port: 26379 },
        { host: 'sentinel-b.internal', port: 26380 },
        { host: 'fd00::7', port: 26379 },
      ],
    });
    assert.equal(describeRedis(redisSettings(env)), 'REDIS_SENTINELS: cannot reach the Redis master mymaster through the Sentinels 10.0.0.5:26379,sentinel-b.internal:26380,[fd00::7]:26379');
    const named = parseEnv({ ...HTTP_MODE, REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_NAME: 'jitbot-redis' });
    assert.deepEqual(redisSettings(named), { kind: 'sentinel', name: 'jitbot-redis', sentinels: [{ host: '127.0.0.1', port: 26379 }] });
  });

  test('a REDIS_SENTINELS entry that is not host:port is refused, quoting the entry and showing the format', () => {
    for (const [value, entry] of [
      ['10.0.0.5', '10.0.0.5'],
      ['10.0.0.5:26379,', ''],
      ['redis://10.0.0.5:26379', 'redis://10.0.0.5:26379'],
      ['10.0.0.5:26379;10.0.0.6:26379', '10.0.0.5:26379;10.0.0.6:26379'],
      ['10.0.0.5:70000', '10.0.0.5:70000'],
      ['10.0.0.5:0', '10.0.0.5:0'],
    ]) {
      const message = configError({ ...HTTP_MODE, REDIS_SENTINELS: value }).message;
      assert.ok(message.startsWith(`environment: REDIS_SENTINELS: expected host:port,host:port (e.g. 10.0.0.5:26379,10.0.0.6:26379); ${JSON.stringify(entry)} is not host:port`), message);
    }
    assert.match(configError({ ...HTTP_MODE, REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_NAME: 'my master' }).message, /^environment: REDIS_SENTINEL_NAME: expected the master name/);
  });

  test('REDIS_SENTINELS together with REDIS_URL stops start-up naming both', () => {
    const message = configError({ ...HTTP_MODE, REDIS_SENTINELS: '127.0.0.1:26379', REDIS_URL: 'redis://127.0.0.1:6379' }).message;
    assert.match(message, /^environment: REDIS_SENTINELS: set REDIS_SENTINELS or REDIS_URL, not both/);
    // An empty REDIS_URL counts as unset, as every empty variable does.
    assert.equal(redisSettings(parseEnv({ ...HTTP_MODE, REDIS_SENTINELS: '127.0.0.1:26379', REDIS_URL: '' })).kind, 'sentinel');
  });

  test('an ADMIN_API_TOKEN shorter than 16 characters is refused, naming it', () => {
    assert.match(configError({ ...HTTP_MODE, ADMIN_API_TOKEN: 'short' }).message, /^environment: ADMIN_API_TOKEN: expected at least 16/);
  });

  test('without AUDIT_HMAC_KEY, or with a short one, start-up stops naming it: the audit trail is never unkeyed', () => {
    const { AUDIT_HMAC_KEY: _key, ...unkeyed } = HTTP_MODE;
    assert.match(configError(unkeyed).message, /^environment: AUDIT_HMAC_KEY: required: a secret of at least 32 characters/);
    assert.match(configError({ ...HTTP_MODE, AUDIT_HMAC_KEY: 'too-short' }).message, /^environment: AUDIT_HMAC_KEY: expected at least 32 characters/);
    assert.equal(parseEnv(HTTP_MODE).AUDIT_HMAC_KEY, TEST_AUDIT_KEY);
  });

  test('variables jitbot does not know are ignored', () => {
    assert.equal(parseEnv({ ...HTTP_MODE, HOME: '/root', PATH: '/bin' }).PORT, 3000);
  });
});
