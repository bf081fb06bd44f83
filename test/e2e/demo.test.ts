import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { freePort } from '../support/free-port.js';
import { TEST_REDIS_URL } from '../support/redis-prefix.js';

const ROOT = new URL('../../', import.meta.url).pathname;

function runDemo(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'demo/run.ts'], { cwd: ROOT, env: { HOME: process.env['HOME'] ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('npm run demo plays request, App Home queue, refused self-approval, approval, grant, expiry and revocation, with timings', async () => {
  const { code, stdout, stderr } = await runDemo({ PATH: process.env['PATH'] ?? '', REDIS_URL: TEST_REDIS_URL });
  assert.equal(code, 0, stderr);
  // The order that must hold; lines that race each other (the reply and the channel post) are checked apart.
  const story = [
    /lee \(db-leads\) opens jitbot's App Home/,
    /App Home of lee \(db-leads\): Your access: No active access/,
    /alice types \/request prod-db 5s debugging INC-4211/,
    /message in #C0DBAPPROVALS: @alice asks for prod-db .*\[Approve\] \[Deny\]/,
    /App Home of lee \(db-leads\): Waiting on you \(1\): @alice asks for prod-db for 5 s/,
    /only alice sees: You cannot approve your own request/,
    /lee \(db-leads\) clicks Approve on req-\w+ in jitbot's App Home/,
    /provisioner webhook access\.grant for alice on prod-db \(signature verified/,
    /DM to alice: 🔓 Your access to prod-db is active until/,
    /provisioner webhook access\.revoke for alice/,
    /DM to alice: 🔒 Your access to prod-db ended .*it expired/,
    /revoked \d+ ms after expiry \(reason: expired\)/,
    /hash chain OK \(7 events\)/,
  ];
  let from = 0;
  for (const step of story) {
    const match = step.exec(stdout.slice(from));
    assert.ok(match, `missing, in order: ${step}\n${stdout}`);
    from += match.index + match[0].length;
  }
  assert.match(stdout, /acked in \d+\.\d ms\) only alice sees: 📨 Asked for prod-db/);
  assert.match(stdout, /DM to alice: ✅ @lee \(db-leads\) approved your request/);
});

test('without a Redis to reach or a redis-server to start, the demo says how to get one', async () => {
  const deadPort = await freePort();
  const { code, stderr } = await runDemo({ PATH: '/nonexistent', REDIS_URL: `redis://127.0.0.1:${deadPort}` });
  assert.equal(code, 1);
  assert.match(stderr, /no redis-server on this machine/);
  assert.match(stderr, /sudo apt-get install redis-server/);
});
