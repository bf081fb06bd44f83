import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFakeSlack } from '../support/fake-slack.js';
import { freePort } from '../support/free-port.js';
import { eventually, SIGNING_SECRET, testPolicy, WEBHOOK_SECRET } from '../support/harness.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../support/redis-prefix.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** One stage of the Dockerfile, as this machine can replay it (no Docker engine runs here). */
interface Stage {
  name: string;
  from: string;
  env: Record<string, string>;
  copies: { from: string | undefined; sources: string[]; target: string }[];
  runs: string[];
  cmd: string[];
  healthcheck: string[];
}

/** Reads the Dockerfile's stages: FROM, ENV, COPY, RUN, CMD and HEALTHCHECK CMD (exec form). */
function readDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const args = line.slice(instruction.length).trim();
    const stage = stages[stages.length - 1];
    if (instruction === 'FROM') {
      stages.push({ name: rest[2] ?? `stage${stages.length}`, from: rest[0] ?? '', env: {}, copies: [], runs: [], cmd: [], healthcheck: [] });
    } else if (!stage) {
      throw new Error(`${instruction} before FROM`);
    } else if (instruction === 'ENV') {
      for (const [, key = '', value = ''] of args.matchAll(/(\w+)=(\S+)/g)) stage.env[key] = value;
    } else if (instruction === 'COPY') {
      const from = rest[0]?.startsWith('--from=') ? rest[0].slice('--from='.length) : undefined;
      const paths = from === undefined ? rest : rest.slice(1);
      stage.copies.push({ from, sources: paths.slice(0, -1), target: paths[paths.length - 1] ?? '' });
    } else if (instruction === 'RUN') {
      stage.runs.push(args);
    } else if (instruction === 'CMD') {
      stage.cmd = JSON.parse(args) as string[];
    } else if (instruction === 'HEALTHCHECK') {
      stage.healthcheck = JSON.parse(args.slice(args.indexOf('CMD') + 3).trim()) as string[];
    }
  }
  return stages;
}

describe('the Dockerfile, replayed from a clean copy', () => {
  const stages = readDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const stage = (name: string) => {
    const found = stages.find((s) => s.name === name);
    assert.ok(found, `the Dockerfile has a stage ${name}`);
    return found;
  };
  let work: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'jitbot-docker-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('runs on Node 20 slim as a non-root user, with a HEALTHCHECK on /healthz', () => {
    const runtime = stages[stages.length - 1];
    assert.ok(runtime);
    for (const s of stages) assert.match(s.from, /^node:20-[a-z]+-slim$|^deps$/);
    const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    assert.match(text.slice(text.lastIndexOf('FROM')), /\nUSER node\n/);
    assert.match(runtime.healthcheck.join(' '), /\/healthz/);
    // As `npm start` runs it: the heap cap keeps a burst of revocations within its memory budget.
    assert.deepEqual(runtime.cmd, ['node', '--max-old-space-size=1024', 'dist/main.js']);
  });

  test('its commands install, build and start a bot that answers /healthz, migrating a new database', { timeout: 300_000 }, async () => {
    // Each stage's COPY of the build context takes from the repository as committed or staged.
    const context = (source: string) => join(ROOT, source);
    const dirOf: Record<string, string> = {};
    for (const s of stages) {
      const dir = join(work, s.name);
      // A stage FROM an earlier one starts from its files.
      if (dirOf[s.from]) cpSync(dirOf[s.from] ?? '', dir, { recursive: true, verbatimSymlinks: true });
      else mkdirSync(dir, { recursive: true });
      dirOf[s.name] = dir;
      for (const copy of s.copies) {
        for (const source of copy.sources) {
          const from = copy.from === undefined ? context(source) : join(dirOf[copy.from] ?? '', source.replace(/^\/app\/?/, ''));
          const target = copy.target.endsWith('/') || copy.sources.length > 1 ? join(dir, copy.target, source.split('/').pop() ?? source) : join(dir, copy.target);
          cpSync(from, target, { recursive: true, verbatimSymlinks: true });
        }
      }
      for (const run of s.runs) {
        // System packages (the compiler for better-sqlite3) are this machine's already.
        if (run.startsWith('apt-get') || run.startsWith('mkdir')) continue;
        if (s.name === 'build' && run.startsWith('npm ci')) {
          // The full install only adds the dev tools (tsc); the repository's own serve, rather
          // than compiling better-sqlite3 a second time.
          rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
          symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
          continue;
        }
        // better-sqlite3's install script compiles it (a minute of CPU): the same compiler on the
        // same Node has built it into the repository's node_modules already, so that build is used.
        const command = run.startsWith('npm ci') ? `${run} --ignore-scripts` : run;
        const done = spawnSync('sh', ['-c', command], { cwd: dir, encoding: 'utf8' });
        assert.equal(done.status, 0, `${s.name}: ${command}\n${done.stdout}\n${done.stderr}`);
        if (run.startsWith('npm ci')) cpSync(join(ROOT, 'node_modules/better-sqlite3/build'), join(dir, 'node_modules/better-sqlite3/build'), { recursive: true });
      }
    }
    const runtime = stages[stages.length - 1];
    assert.ok(runtime);
    const app = dirOf[runtime.name] ?? '';
    assert.ok(existsSync(join(app, 'dist/main.js')), 'the build is in the image');
    assert.ok(!existsSync(join(app, 'node_modules/typescript')), 'dev dependencies stay out of the image');
    assert.ok(!existsSync(join(app, 'src')), 'the source stays out of the image');

    const slack = await startFakeSlack();
    const prefix = uniquePrefix();
    const port = await freePort();
    writeFileSync(join(app, 'policy.yaml'), testPolicy('http://127.0.0.1:9/hook'));
    mkdirSync(join(app, 'data'), { recursive: true });
    const env = {
      PATH: process.env['PATH'] ?? '',
      ...runtime.env,
      // The image's paths are under /app; here they are under the copy.
      DATABASE_PATH: join(app, 'data/jitbot.sqlite'),
      POLICY_PATH: join(app, 'policy.yaml'),
      PORT: String(port),
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      AUDIT_HMAC_KEY: TEST_AUDIT_KEY,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      PROD_DB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: 'warn',
    };
    const [command = '', ...args] = runtime.cmd;
    const bot = spawn(command === 'node' ? process.execPath : command, args, { cwd: app, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    bot.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => bot.on('exit', resolve));
    try {
      await eventually('the image answers /healthz', async () => {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
        return res?.status === 200 ? true : undefined;
      }, 60_000);
      assert.ok(existsSync(join(app, 'data/jitbot.sqlite')), 'the database was created and migrated at start');
      const [hcCommand = '', ...hcArgs] = runtime.healthcheck;
      const healthcheck = spawnSync(hcCommand === 'node' ? process.execPath : hcCommand, hcArgs, { cwd: app, env, encoding: 'utf8' });
      assert.equal(healthcheck.status, 0, `HEALTHCHECK: ${healthcheck.stderr}`);
    } finally {
      bot.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
      await slack.close();
      await dropPrefix(prefix);
    }
  });
});
