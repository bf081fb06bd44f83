import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../test/support/free-port.js';
import { BENCH_AUDIT_KEY } from './seed.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Compiles src/ once so the bot runs as `npm start` runs it: plain node on dist/. */
export function buildOnce(): void {
  const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}

export interface BotProcessOptions {
  dir: string;
  policy: string;
  slackApiUrl: string;
  redisUrl: string;
  prefix: string;
  signingSecret: string;
  secrets: Record<string, string>;
  /** JITBOT_ROLE: all (default), or web / worker for a split deployment. */
  role?: 'all' | 'web' | 'worker';
}

/** The bot as its own process (dist/main.js), ready when /healthz answers 200. */
export async function startBotProcess(options: BotProcessOptions) {
  const port = await freePort();
  const metricsPort = await freePort();
  const policyPath = join(options.dir, `policy-${port}.yaml`);
  writeFileSync(policyPath, options.policy);
  // BENCH_PROFILE=dir writes a V8 CPU profile of the bot there (open it in Chrome DevTools).
  const profile = process.env['BENCH_PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE']}`] : [];
  // As `npm start` runs it; BENCH_NODE_FLAGS adds node flags for experiments.
  const flags = (process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...profile, ...flags, 'dist/main.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      SLACK_BOT_TOKEN: 'xoxb-bench-token',
      SLACK_SIGNING_SECRET: options.signingSecret,
      AUDIT_HMAC_KEY: BENCH_AUDIT_KEY,
      SLACK_API_URL: options.slackApiUrl,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      DATABASE_PATH: join(options.dir, 'jitbot.sqlite'),
      REDIS_URL: options.redisUrl,
      REDIS_PREFIX: options.prefix,
      POLICY_PATH: policyPath,
      LOG_LEVEL: 'warn',
      JITBOT_ROLE: options.role ?? 'all',
      ...options.secrets,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the bot exited with ${child.exitCode} while starting`);
    const healthy = await fetch(`${base}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (healthy) break;
    if (performance.now() - startedAt > 120_000) throw new Error('the bot did not become healthy within 120 s');
    await sleep(50);
  }
  return {
    eventsUrl: `${base}/slack/events`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    startupMs: performance.now() - startedAt,
    /** Resident set size of the bot process, in bytes, from /proc. */
    rssBytes(): number {
      const status = readFileSync(`/proc/${child.pid ?? 0}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      return Number(kb ?? 0) * 1024;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
