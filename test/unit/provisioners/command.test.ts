import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCommandProvisioner } from '../../../src/provisioners/command.js';
import { ProvisionerError, type AccessEvent } from '../../../src/provisioners/provisioner.js';

const event: AccessEvent = {
  type: 'access.revoke',
  grant_id: 'grt-cmd',
  request_id: 'req-cmd',
  exception_id: null,
  resource: 'vpn-prod',
  user: { slack_id: 'U0ALICE', email: null },
  granted_at: '2026-11-24T14:00:00.000Z',
  expires_at: '2026-11-24T15:00:00.000Z',
  reason: 'on call',
  revoke_reason: 'released',
};

describe('the command provisioner', () => {
  let dir: string;
  const script = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  const env = () => ({ PATH: process.env['PATH'] ?? '/usr/bin:/bin' });
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jitbot-cmd-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('receives its arguments, the JITBOT_* variables and the grant as JSON on stdin, and nothing else of ours', async () => {
    const out = join(dir, 'seen.txt');
    const run = script('record.sh', `{ echo "args=$*"; env | grep -E '^(JITBOT_|SLACK_)' | sort; echo "stdin=$(cat)"; } > "${out}"`);
    process.env['SLACK_BOT_TOKEN'] = 'xoxb-must-not-leak';
    try {
      await createCommandProvisioner({ run: [run, '--profile', 'prod'], cwd: dir, timeoutMs: 5_000, env: env() }).apply(event);
    } finally {
      delete process.env['SLACK_BOT_TOKEN'];
    }
    const seen = readFileSync(out, 'utf8');
    assert.match(seen, /^args=--profile prod$/m);
    for (const line of ['JITBOT_ACTION=revoke', 'JITBOT_GRANT_ID=grt-cmd', 'JITBOT_REQUEST_ID=req-cmd', 'JITBOT_RESOURCE=vpn-prod', 'JITBOT_USER_ID=U0ALICE', 'JITBOT_USER_EMAIL=', 'JITBOT_EXPIRES_AT=2026-11-24T15:00:00.000Z', 'JITBOT_REVOKE_REASON=released']) {
      assert.ok(seen.split('\n').includes(line), `missing ${line} in:\n${seen}`);
    }
    assert.doesNotMatch(seen, /SLACK_/, "jitbot's own environment does not reach the program");
    assert.deepEqual(JSON.parse(seen.split('stdin=')[1] ?? ''), event);
  });

  test('a non-zero exit fails with the exit code and the end of stderr', async () => {
    const run = script('fail.sh', 'echo "vpn api said no" >&2; exit 3');
    await assert.rejects(createCommandProvisioner({ run: [run], cwd: dir, timeoutMs: 5_000, env: env() }).apply(event), /exited with code 3: vpn api said no/);
  });

  test('what stderr quotes is redacted and capped to its end', async () => {
    const run = script('leaky.sh', `echo "${'noise '.repeat(500)}" >&2; echo "connect to redis://:stderr-pw@cache:6379 failed; password=kw-pw" >&2; exit 1`);
    await assert.rejects(createCommandProvisioner({ run: [run], cwd: dir, timeoutMs: 5_000, env: env() }).apply(event), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /exited with code 1: ….*noise connect to redis:\/\/cache:6379 failed; password=\[redacted\]$/);
      assert.ok(!error.message.includes('stderr-pw') && !error.message.includes('kw-pw'), error.message);
      assert.ok(error.message.length < 500, 'capped');
      assert.ok(error instanceof ProvisionerError && error.quotesOutside, "the program's words are not jitbot's");
      return true;
    });
  });

  test('a program that hangs is stopped at the timeout and is gone afterwards', async () => {
    const pidFile = join(dir, 'pid');
    const run = script('hang.sh', `echo $$ > "${pidFile}"; exec sleep 30`);
    await assert.rejects(createCommandProvisioner({ run: [run], cwd: dir, timeoutMs: 300, env: env() }).apply(event), /did not finish within 0.3 s/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    assert.throws(() => process.kill(pid, 0), /ESRCH/);
  });

  test('a missing program is a clear error', async () => {
    await assert.rejects(createCommandProvisioner({ run: [join(dir, 'nope')], cwd: dir, timeoutMs: 1_000, env: env() }).apply(event), /cannot run .*nope: not found/);
  });

  test('a program that does not read stdin still succeeds', async () => {
    const run = script('quiet.sh', 'exit 0');
    await createCommandProvisioner({ run: [run], cwd: dir, timeoutMs: 5_000, env: env() }).apply(event);
  });

  test('a program path is probed where it runs: relative to the policy folder, not to jitbot\'s working directory', async () => {
    mkdirSync(join(dir, 'bin'), { recursive: true });
    script('bin/grant.sh', 'exit 0');
    const p = createCommandProvisioner({ run: ['bin/grant.sh'], cwd: dir, timeoutMs: 5_000, env: env() });
    assert.deepEqual(await p.probe?.(), []);
    await p.apply(event);
    const missing = createCommandProvisioner({ run: ['bin/none.sh'], cwd: dir, timeoutMs: 5_000, env: env() });
    assert.deepEqual(await missing.probe?.(), ['cannot run bin/none.sh: not found or not executable']);
  });
});
