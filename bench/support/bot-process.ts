import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { freePort } from '../../test/support/free-port.js';
import { BENCH_AUDIT_KEY } from './bench-database.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Compiles src/ once so the bot runs as `npm start` runs it: plain node on dist/. */
export function buildOnce(): void {
  const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
}

/** The node flags of package.json's start script (`node <flags> dist/main.js`): the bot runs as `npm start` runs it. */
function startFlags(): string[] {
  const { scripts } = z.object({ scripts: z.object({ start: z.string() }) }).parse(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')));
  const words = scripts.start.split(/\s+/);
  const main = words.indexOf('dist/main.js');
  if (words[0] !== 'node' || main < 0) throw new Error(`package.json's start script is not "node … dist/main.js": ${scripts.start}`);
  return words.slice(1, main);
}

/** A memory field of /proc/<pid>/status (VmRSS, VmHWM…), in bytes. */
function procStatusBytes(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid ?? 0}/status`, 'utf8');
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}

export interface BotProcessOptions {
  dir: string;
  policy: string;
  slackApiUrl: string;
  redisUrl: string;
  prefix: string;
  signingSecret: string;
  secrets: Record<string, string>;
  /** DATABASE_PATH or DATABASE_URL. */
  database: Record<string, string>;
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
  const child = spawn(process.execPath, [...profile, ...startFlags(), ...flags, 'dist/main.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      SLACK_BOT_TOKEN: 'xoxb-bench-token',
      SLACK_SIGNING_SECRET: options.signingSecret,
      AUDIT_HMAC_KEY: BENCH_AUDIT_KEY,
      SLACK_API_URL: options.slackApiUrl,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      ...options.database,
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
    rssBytes: () => procStatusBytes(child.pid, 'VmRSS'),
    /** The largest the bot's RSS has been since it started, or since `resetPeakRss()` (Linux's VmHWM). */
    peakRssBytes: () => procStatusBytes(child.pid, 'VmHWM'),
    /** Starts the peak over from the present RSS (Linux: `5` written to /proc/<pid>/clear_refs). */
    resetPeakRss(): void {
      writeFileSync(`/proc/${child.pid ?? 0}/clear_refs`, '5');
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
