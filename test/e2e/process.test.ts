import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { startFakeSlack } from '../support/fake-slack.js';
import { freePort } from '../support/free-port.js';
import { eventually, SIGNING_SECRET, testPolicy, USERS, WEBHOOK_SECRET } from '../support/harness.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/redis-prefix.js';
import { startOwnRedis } from '../support/redis-server.js';
import { blockActionBody, signedPost, slashCommandBody } from '../support/slack-requests.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;
/** Resolved here, so the bot can also start in a folder of its own (`cwd`). */
const TSX = import.meta.resolve('tsx');

function runMain(env: Record<string, string>, cwd?: string) {
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd,
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr, stdout: () => stdout };
}

async function waitHealthy(port: number) {
  await eventually('bot healthy', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    return res?.status === 200 ? true : undefined;
  }, 20_000);
}

/** A bot on `dir`'s policy.yaml (the test writes it) and database, talking to Slack at `apiUrl`. */
function botEnv(at: { dir: string; apiUrl: string; port: number; prefix: string }): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    AUDIT_HMAC_KEY: TEST_AUDIT_KEY,
    SLACK_API_URL: at.apiUrl,
    PORT: String(at.port),
    DATABASE_PATH: join(at.dir, 'jitbot.sqlite'),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: at.prefix,
    POLICY_PATH: join(at.dir, 'policy.yaml'),
    PROD_DB_WEBHOOK_SECRET: WEBHOOK_SECRET,
  };
}

/** A fresh folder for one test's files, removed afterwards. */
async function inTempDir(use: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'jitbot-proc-'));
  try {
    await use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the bot as a process: npm start’s entry point', () => {
  test('a missing variable stops start-up with one line naming it and exit code 1', () =>
    inTempDir(async (dir) => {
      writeFileSync(join(dir, 'policy.yaml'), 'resources:\n  wiki:\n    channel: C0WIKI\n    approvers: [U0LEAD]\n    max_duration: 1h\n');
      const run = runMain({ SLACK_SIGNING_SECRET: 'x', AUDIT_HMAC_KEY: TEST_AUDIT_KEY, POLICY_PATH: join(dir, 'policy.yaml') });
      assert.equal(await run.exited, 1);
      const lines = run.stderr().trim().split('\n');
      assert.equal(lines.length, 1, run.stderr());
      assert.match(lines[0] ?? '', /^jitbot: environment: SLACK_BOT_TOKEN: required/);
    }));

  test('started with nothing set, it lists every problem in one message: each variable and the missing policy file; exit 1, no stack trace', () =>
    inTempDir(async (dir) => {
      const run = runMain({}, dir);
      assert.equal(await run.exited, 1);
      const stderr = run.stderr();
      assert.match(stderr, /^jitbot: 4 problems stop start-up:\n/);
      assert.match(stderr, /\n {2}- environment: SLACK_BOT_TOKEN: required/);
      assert.match(stderr, /\n {2}- environment: SLACK_SIGNING_SECRET: required in HTTP mode/);
      assert.match(stderr, /\n {2}- environment: AUDIT_HMAC_KEY: required/);
      assert.match(stderr, /\n {2}- .*policy\.yaml: policy file not found \(set POLICY_PATH, or copy policy\.example\.yaml to policy\.yaml\)/);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
      assert.equal(run.stdout(), '');
    }));

  test('with a policy, the secrets it names that are not set are listed with the bad variables, all at once', () =>
    inTempDir(async (dir) => {
      const policyPath = join(dir, 'policy.yaml');
      const extra = '  vpn:\n    channel: C0VPN\n    approvers: [U0LEAD]\n    max_duration: 1h\n    provisioner: { type: command, run: [./vpn], pass_env: [VPN_TOKEN, VPN_REGION] }\n';
      writeFileSync(policyPath, testPolicy('http://127.0.0.1:9/unused', extra, { audit_webhook: '{ url: "https://siem.example/jitbot", secret_env: SIEM_SECRET }' }));
      const run = runMain({ SLACK_BOT_TOKEN: 'not-a-token', POLICY_PATH: policyPath, VPN_REGION: 'eu' });
      assert.equal(await run.exited, 1);
      const problems = run.stderr().split('\n').filter((l) => l.startsWith('  - '));
      assert.deepEqual(problems, [
        '  - environment: SLACK_BOT_TOKEN: expected a bot token starting with xoxb-',
        '  - environment: AUDIT_HMAC_KEY: required: a secret of at least 32 characters that keys the audit trail (e.g. `openssl rand -base64 32`)',
        '  - environment: SLACK_SIGNING_SECRET: required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)',
        '  - resources.prod-db.provisioner.secret_env: environment variable PROD_DB_WEBHOOK_SECRET is not set',
        '  - resources.vpn.provisioner.pass_env: environment variable VPN_TOKEN is not set',
        '  - settings.audit_webhook.secret_env: environment variable SIEM_SECRET is not set',
      ]);
      assert.match(run.stderr(), /^jitbot: 6 problems stop start-up:\n/);
    }));

  test('an invalid policy stops start-up naming the key and what was expected', () =>
    inTempDir(async (dir) => {
      const policyPath = join(dir, 'policy.yaml');
      writeFileSync(policyPath, 'resources:\n  prod-db:\n    channel: C0DB\n    approvers: [U0LEAD]\n    max_duration: soon\n');
      const run = runMain({ SLACK_BOT_TOKEN: 'xoxb-x', SLACK_SIGNING_SECRET: 'x', AUDIT_HMAC_KEY: TEST_AUDIT_KEY, POLICY_PATH: policyPath });
      assert.equal(await run.exited, 1);
      const lines = run.stderr().trim().split('\n');
      assert.equal(lines.length, 1, run.stderr());
      assert.match(lines[0] ?? '', /resources\.prod-db\.max_duration: expected a duration like 90s, 30m, 2h, 1h30m or 1d, got "soon"/);
    }));

  test('with Slack unreachable it keeps running, logs only JSON saying so, answers /healthz 503 naming slack, and serves once Slack answers', async () => {
    const slackPort = await freePort();
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'jitbot-proc-'));
    const prefix = uniquePrefix();
    writeFileSync(join(dir, 'policy.yaml'), testPolicy('http://127.0.0.1:9/unused'));
    const apiUrl = `http://127.0.0.1:${slackPort}/api/`;
    const bot = runMain(botEnv({ dir, apiUrl, port, prefix }));
    let slack: Awaited<ReturnType<typeof startFakeSlack>> | undefined;
    try {
      const unreachable = `cannot reach Slack at ${apiUrl}: connect ECONNREFUSED 127.0.0.1:${slackPort}`;
      await eventually('the log line saying Slack cannot be reached', () => (bot.stdout().includes(unreachable) ? true : undefined), 20_000);
      const waiting = await eventually('/healthz answering', async () => fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined), 10_000);
      assert.equal(waiting.status, 503);
      const report = (await waiting.json()) as { checks: Record<string, string> };
      assert.equal(report.checks['slack'], `error: ${unreachable}`);
      assert.equal(report.checks['sqlite'], 'ok');
      assert.equal(bot.child.exitCode, null, 'still running');

      slack = await startFakeSlack({ port: slackPort });
      for (const id of Object.values(USERS)) slack.addUser({ id });
      await waitHealthy(port);
      const command = slashCommandBody({ text: 'prod-db 30m late start INC-31', userId: USERS.alice, responseUrl: slack.responseUrl('late') });
      assert.equal((await signedPost(`http://127.0.0.1:${port}/slack/events`, SIGNING_SECRET, command, 'application/x-www-form-urlencoded')).status, 200);
      const reply = await slack.waitForResponse('late', undefined, 10_000);
      assert.match(String(reply.body['text']), /req-[0-9a-z]+/);

      bot.child.kill('SIGTERM');
      assert.equal(await bot.exited, 0);
      const lines = (bot.stdout() + bot.stderr()).split('\n').filter((l) => l !== '');
      for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not a JSON line: ${line}`);
      assert.doesNotMatch(bot.stdout() + bot.stderr(), /refused the token/);
    } finally {
      bot.child.kill('SIGKILL');
      await slack?.close();
      await dropPrefix(prefix);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a Redis that cannot be reached stops start-up naming REDIS_URL without its password', async () => {
    const slack = await startFakeSlack();
    const dir = mkdtempSync(join(tmpdir(), 'jitbot-proc-'));
    try {
      writeFileSync(join(dir, 'policy.yaml'), testPolicy('http://127.0.0.1:9/unused'));
      const run = runMain({ ...botEnv({ dir, apiUrl: slack.apiUrl, port: 0, prefix: uniquePrefix() }), REDIS_URL: 'redis://:pw@127.0.0.1:1' });
      assert.equal(await run.exited, 1);
      assert.match(run.stderr(), /^jitbot: REDIS_URL: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 /m);
      assert.ok(!run.stderr().includes('pw'), run.stderr());
      assert.ok(!run.stdout().includes('pw'), run.stdout());
    } finally {
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  test('a token Slack refuses (invalid_auth) still stops start-up with the token message', () =>
    inTempDir(async (dir) => {
      const slack = await startFakeSlack();
      const prefix = uniquePrefix();
      try {
        writeFileSync(join(dir, 'policy.yaml'), testPolicy('http://127.0.0.1:9/unused'));
        const run = runMain({ ...botEnv({ dir, apiUrl: slack.apiUrl, port: await freePort(), prefix }), SLACK_BOT_TOKEN: 'xoxb-revoked-token' });
        assert.equal(await run.exited, 1);
        assert.equal(run.stderr(), 'jitbot: SLACK_BOT_TOKEN: Slack refused the token (invalid_auth); check the bot token and SLACK_API_URL\n');
      } finally {
        await slack.close();
        await dropPrefix(prefix);
      }
    }));

  test('SIGTERM with Redis gone still ends the process, within the 10 s shutdown bound', async () => {
    const redis = await startOwnRedis();
    const slack = await startFakeSlack();
    const dir = mkdtempSync(join(tmpdir(), 'jitbot-proc-'));
    const port = await freePort();
    writeFileSync(join(dir, 'policy.yaml'), testPolicy('http://127.0.0.1:9/unused'));
    const bot = runMain({ ...botEnv({ dir, apiUrl: slack.apiUrl, port, prefix: uniquePrefix() }), REDIS_URL: redis.url });
    try {
      await waitHealthy(port);
      await redis.stop();
      await eventually('the bot to notice Redis is gone', async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 503 ? true : undefined), 10_000);
      const signalled = Date.now();
      bot.child.kill('SIGTERM');
      const code = await Promise.race([bot.exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 20_000))]);
      assert.notEqual(code, 'still running', `still running 20 s after SIGTERM; log: ${bot.stdout()}`);
      assert.ok(Date.now() - signalled < 15_000, `exited ${Date.now() - signalled} ms after SIGTERM (the bound is 10 s; the rest is slack for a loaded machine)`);
      assert.equal(code, 0);
    } finally {
      bot.child.kill('SIGKILL');
      await redis.stop();
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('kill -9 between approval and expiry', () => {
    let cleanup: () => Promise<void> = async () => undefined;
    const children: ChildProcess[] = [];
    after(async () => {
      for (const c of children) c.kill('SIGKILL');
      await cleanup();
    });

    let ctx: { port: number; env: Record<string, string>; slack: Awaited<ReturnType<typeof startFakeSlack>>; webhook: Awaited<ReturnType<typeof startWebhookReceiver>>; dir: string };
    before(async () => {
      const slack = await startFakeSlack();
      for (const id of Object.values(USERS)) slack.addUser({ id });
      const webhook = await startWebhookReceiver(WEBHOOK_SECRET);
      const dir = mkdtempSync(join(tmpdir(), 'jitbot-proc-'));
      const prefix = uniquePrefix();
      writeFileSync(join(dir, 'policy.yaml'), testPolicy(webhook.url));
      const port = await freePort();
      ctx = {
        port,
        slack,
        webhook,
        dir,
        env: botEnv({ dir, apiUrl: slack.apiUrl, port, prefix }),
      };
      cleanup = async () => {
        await dropPrefix(prefix);
        await Promise.all([slack.close(), webhook.close()]);
        rmSync(dir, { recursive: true, force: true });
      };
    });

    test('SIGHUP with an invalid policy file keeps the running policy; a valid change is reloaded, audited and announced', async () => {
      const bot = runMain(ctx.env);
      children.push(bot.child);
      await waitHealthy(ctx.port);
      const policyPath = ctx.env['POLICY_PATH'] ?? '';
      const changes = () => {
        const db = new Database(ctx.env['DATABASE_PATH'] ?? '', { readonly: true });
        try {
          return db.prepare("select details from audit_events where action = 'policy.changed'").pluck().all() as string[];
        } finally {
          db.close();
        }
      };
      writeFileSync(policyPath, testPolicy(ctx.webhook.url).replace('max_duration: 2h', 'max_duration: soon'));
      bot.child.kill('SIGHUP');
      await eventually('the rejection in the log', () => (/policy reload rejected; the current policy stays/.test(bot.stdout()) ? true : undefined), 10_000);
      assert.match(bot.stdout(), /resources\.prod-db\.max_duration: expected a duration/);
      assert.deepEqual(changes(), []);
      assert.equal((await fetch(`http://127.0.0.1:${ctx.port}/healthz`)).status, 200, 'still running on the old policy');

      // A valid change, picked up from the file itself (no signal needed).
      writeFileSync(policyPath, testPolicy(ctx.webhook.url).replace('max_duration: 2h', 'max_duration: 4h'));
      const [change] = await eventually('the policy.changed audit event', () => changes()[0] ? changes() : undefined, 10_000);
      assert.deepEqual((JSON.parse(change ?? '{}') as { changes: string[] }).changes, ['resources.prod-db.max_duration: "2h" → "4h"']);
      await ctx.slack.waitForCall('chat.postMessage', (c) => c.args['channel'] === 'C0SECURITY' && /The access policy changed/.test(String(c.args['text'])), 10_000);
      writeFileSync(policyPath, testPolicy(ctx.webhook.url));
      await eventually('the change back', () => (changes().length === 2 ? true : undefined), 10_000);
      bot.child.kill('SIGTERM');
      assert.equal(await bot.exited, 0);
    });

    test('a killed bot, started again, still revokes on time; SIGTERM then stops it cleanly', async () => {
      const first = runMain(ctx.env);
      children.push(first.child);
      await waitHealthy(ctx.port);
      const url = `http://127.0.0.1:${ctx.port}/slack/events`;
      const command = slashCommandBody({ text: 'prod-db 8s crash test INC-30', userId: USERS.alice, responseUrl: ctx.slack.responseUrl('k1') });
      assert.equal((await signedPost(url, SIGNING_SECRET, command, 'application/x-www-form-urlencoded')).status, 200);
      const reply = await ctx.slack.waitForResponse('k1', undefined, 10_000);
      const requestId = /req-[0-9a-z]+/.exec(String(reply.body['text']))?.[0] ?? '';
      const click = blockActionBody({ actionId: 'approve', value: requestId, userId: USERS.lead, responseUrl: ctx.slack.responseUrl('k2') });
      await signedPost(url, SIGNING_SECRET, click, 'application/x-www-form-urlencoded');
      await ctx.webhook.waitForDeliveries(1, 10_000);

      first.child.kill('SIGKILL');
      await first.exited;
      const second = runMain(ctx.env);
      children.push(second.child);
      await waitHealthy(ctx.port);

      const deliveries = await ctx.webhook.waitForDeliveries(2, 15_000);
      assert.equal(deliveries[1]?.body.type, 'access.revoke');
      const db = new Database(ctx.env['DATABASE_PATH'] ?? '', { readonly: true });
      try {
        const grant = await eventually('revoked row', () => {
          const row = db.prepare('select status, revoke_reason, revoked_at, expires_at from grants where request_id = ?').get(requestId) as
            | { status: string; revoke_reason: string; revoked_at: number; expires_at: number }
            | undefined;
          return row?.status === 'revoked' ? row : undefined;
        });
        assert.equal(grant.revoke_reason, 'expired');
        assert.ok(grant.revoked_at - grant.expires_at < 1_500, `late by ${grant.revoked_at - grant.expires_at} ms`);
      } finally {
        db.close();
      }

      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0, 'SIGTERM shuts down gracefully with exit 0');
    });
  });
});
