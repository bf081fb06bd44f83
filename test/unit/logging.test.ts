import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import pino from 'pino';
import { loggerOptions } from '../../src/logging.js';

test('a log line shows URLs as origin and path: in its message, its fields, and an error with its cause', () => {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const log = pino(loggerOptions('info'), out);
  const cause = new Error('connect to postgres://admin:cause-pw@db.internal/app failed');
  log.warn({ err: new Error('HTTP 500 from http://svc:hunter2@hooks.internal/grant?code=s3cret', { cause }), target: { url: 'redis://:field-pw@cache:6379' } }, 'while calling %s', 'https://u:arg-pw@idp.internal/scim');
  log.info('reaching redis://:msg-pw@cache:6379');
  log.info({ at: DateTime.fromMillis(0, { zone: 'utc' }) }, 'a value with its own JSON form keeps it');
  const written = lines.join('');
  for (const secret of ['hunter2', 's3cret', 'cause-pw', 'field-pw', 'arg-pw', 'msg-pw']) assert.ok(!written.includes(secret), `${secret} in ${written}`);
  const [first] = lines.map((line) => JSON.parse(line) as { msg: string; err: { message: string; stack: string }; target: { url: string } });
  assert.equal(first?.msg, 'while calling https://idp.internal/scim');
  assert.equal(first?.err.message, 'HTTP 500 from http://hooks.internal/grant: connect to postgres://db.internal/app failed', 'with its cause');
  assert.equal(first?.target.url, 'redis://cache:6379');
  assert.equal((JSON.parse(lines[2] ?? '{}') as { at: unknown }).at, '1970-01-01T00:00:00.000Z');
});
