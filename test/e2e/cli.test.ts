import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { createSqliteStore } from '../../src/store/sqlite/store.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { startPostgresFixture, TEST_POSTGRES_URL } from '../support/postgres.js';

const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;

const jitbot = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', AUDIT_HMAC_KEY: TEST_AUDIT_KEY, ...env }, encoding: 'utf8' });

/** The CLI as a child that does not block this process, for tests whose servers (the fake Slack) must answer it. */
function jitbotAsync(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', AUDIT_HMAC_KEY: TEST_AUDIT_KEY, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('the jitbot CLI', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jitbot-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('policy check prints what each resource means and exits 0 for a valid file', () => {
    const run = jitbot(['policy', 'check', 'policy.example.yaml']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /prod-db — Production PostgreSQL, read\/write\n    who may request: engineers \(3 people: U0DEV1, U0DEV2, U0LEAD1\)\n/);
    assert.match(run.stdout, /stage 1 of 1: 1 approval\(s\) from db-leads \(2 people: U0LEAD1, U0LEAD2\); told by the approval message in C0DBAPPROVALS/);
    assert.match(run.stdout, /limits: up to 2h \(default 1h\); reason must match INC-\[0-9\]\+; the requester never approves their own/);
    assert.match(run.stdout, /opt-out: auto_approve, up to 7d; asked by db-leads \(2 people: U0LEAD1, U0LEAD2\); approved by security \(everyone in Slack user group S0SECURITY, read live\)/);
    assert.match(run.stdout, /vpn-prod — .*\n    who may request: anyone in the workspace\n/);
    assert.match(run.stdout, /security team: security \(everyone in Slack user group S0SECURITY, read live\); alerts in C0SECURITY/);
  });

  test('policy check lists the secret variables the policy names that are not set here, and says that is fine when the bot runs elsewhere', () => {
    const path = join(dir, 'secrets.yaml');
    const resource = (name: string, provisioner: string) => `  ${name}:\n    channel: C0X\n    approvers: [U0LEAD1]\n    max_duration: 1h\n    provisioner: ${provisioner}\n`;
    writeFileSync(
      path,
      'settings:\n  audit_webhook: { url: "https://siem.example/jitbot", secret_env: SIEM_SECRET }\nresources:\n' +
        resource('db', '{ type: postgres, connection_env: PG_URL, role: app, login: email_localpart }') +
        resource('hook', '{ type: webhook, url: "https://access.example/", secret_env: HOOK_SECRET }') +
        resource('vpn', '{ type: command, run: [./vpn], pass_env: [VPN_TOKEN, VPN_REGION] }'),
    );
    const run = jitbot(['policy', 'check', path], { HOOK_SECRET: 'set', VPN_REGION: 'eu' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /\n {2}secret variables not set here \(fine if the bot runs elsewhere: set them where it runs\):\n {4}PG_URL \(resources\.db\.provisioner\.connection_env\)\n {4}VPN_TOKEN \(resources\.vpn\.provisioner\.pass_env\)\n {4}SIEM_SECRET \(settings\.audit_webhook\.secret_env\)\n/,
    );
    assert.doesNotMatch(run.stdout, /HOOK_SECRET|VPN_REGION/);
    const everySet = jitbot(['policy', 'check', path], { HOOK_SECRET: 's', VPN_REGION: 'eu', PG_URL: 'postgres://x', VPN_TOKEN: 't', SIEM_SECRET: 's' });
    assert.equal(everySet.status, 0, everySet.stderr);
    assert.doesNotMatch(everySet.stdout, /not set/);
  });

  test('a reader that stops early (| head) ends the output quietly, without a stack trace', () => {
    const run = spawnSync('sh', ['-c', `"${process.execPath}" --import tsx "${CLI}" policy check policy.example.yaml | head -c 10`], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '' }, encoding: 'utf8' });
    assert.equal(run.stdout.length, 10);
    assert.equal(run.stderr, '');
  });

  test('policy check --probe connects to each provisioner and reports what fails', async () => {
    const pg = await startPostgresFixture();
    try {
      const path = join(dir, 'probe.yaml');
      const resource = (name: string, provisioner: string) => `  ${name}:\n    channel: C0X\n    approvers: [U0LEAD1]\n    max_duration: 1h\n    provisioner: ${provisioner}\n`;
      const good = `resources:\n${resource('db', `{ type: postgres, connection_env: PG_URL, role: ${pg.role}, login: email_localpart }`)}${resource('manual', '{ type: none }')}`;
      writeFileSync(path, good);
      const ok = jitbot(['policy', 'check', path, '--probe'], { PG_URL: TEST_POSTGRES_URL });
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /probe:\n  db \(postgres\): OK\n  manual \(none\): nothing to probe/);
      assert.match(ok.stdout, /warning: resources\.db\.provisioner: login: email_localpart without email_domain maps an email of any domain to a login/);

      const bad =
        good +
        resource('gone', `{ type: postgres, connection_env: PG_URL, role: ${pg.prefix}_nope, login: { U0ALICE: ${pg.prefix}_ghost } }`) +
        resource('vpn', '{ type: command, run: [./bin/missing-vpn-tool] }') +
        resource('oncall', '{ type: slack_usergroup, usergroup: S0ONCALL }') +
        resource('down', '{ type: postgres, connection_env: DOWN_URL, role: app, login: email_localpart }');
      writeFileSync(path, bad);
      const run = jitbot(['policy', 'check', path, '--probe'], { PG_URL: TEST_POSTGRES_URL, DOWN_URL: 'postgres://postgres@127.0.0.1:1/test' });
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.match(run.stdout, new RegExp(`gone \\(postgres\\): FAILED\n      - role "${pg.prefix}_nope" does not exist\n      - login "${pg.prefix}_ghost" \\(in provisioner.login\\) does not exist`));
      assert.match(run.stdout, /vpn \(command\): FAILED\n      - cannot run .*bin\/missing-vpn-tool: not found or not executable/);
      assert.match(run.stdout, /oncall \(slack_usergroup\): FAILED\n      - .*slack_usergroup needs SLACK_BOT_TOKEN/);
      assert.match(run.stdout, /down \(postgres\): FAILED\n      - postgres: cannot reach PostgreSQL \(DOWN_URL\)/);
    } finally {
      await pg.drop();
    }
  });

  test('policy check lists every problem and exits 1 for an invalid file', () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'resources:\n  x:\n    channel: nope\n    max_duraton: 1h\n');
    const run = jitbot(['policy', 'check', path]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /Unrecognized key: "max_duraton"/);
    assert.match(run.stderr, /resources\.x\.channel: expected a Slack channel ID/);
  });

  test('policy check refuses a policy that cannot work, saying why in words', () => {
    const path = join(dir, 'unworkable.yaml');
    writeFileSync(
      path,
      `approver_groups:
  db-leads: { users: [U0LEAD1, U0LEAD2] }
resources:
  few:
    channel: C0X
    approvers: [db-leads]
    approvals_required: 3
    max_duration: 1h
  solo:
    channel: C0X
    approvers: [U0LEAD1]
    requesters: [U0LEAD1]
    max_duration: 1h
  chain:
    channel: C0X
    stages:
      - { approvers: [db-leads], approvals_required: 2 }
      - { approvers: [U0LEAD1] }
    max_duration: 1h
  long:
    channel: C0X
    approvers: [db-leads]
    max_duration: 1h
    default_duration: 4h
`,
    );
    const run = jitbot(['policy', 'check', path]);
    assert.equal(run.status, 1, run.stdout);
    assert.equal(
      run.stderr,
      `${path}: invalid
  - resources.long.default_duration: expected at most max_duration (1h), got 4h
  - resources.few.approvals_required: approvals_required is 3, but only 2 people could approve: U0LEAD1, U0LEAD2
  - resources.solo.requesters: a request by U0LEAD1 could never be approved: approvals_required is 1, the requester never approves their own (self_approval is false), and nobody else could approve
  - resources.chain.stages: stages 1 and 2 need 3 different people between them (nobody approves twice), but only 2 people could approve: U0LEAD1, U0LEAD2
`,
    );
  });

  test('policy check names a misspelt key once, with the key meant, and a missing one without the validator\'s words', () => {
    const path = join(dir, 'typos.yaml');
    writeFileSync(path, 'resources:\n  typo:\n    channel: C0X\n    approvers: [U0A]\n    max_duraton: 1h\n  nohook:\n    channel: C0X\n    approvers: [U0A]\n    max_duration: 1h\n    provisioner: { type: webhook, url: https://hooks.example/x }\n');
    const run = jitbot(['policy', 'check', path]);
    assert.equal(run.status, 1, run.stdout);
    assert.equal(
      run.stderr,
      `${path}: invalid
  - resources.typo: Unrecognized key: "max_duraton" (did you mean max_duration?)
  - resources.nohook.provisioner.secret_env: expected an environment variable name; it is missing
`,
    );
  });

  test('policy check names a YAML syntax error with the offending line last', () => {
    const path = join(dir, 'syntax.yaml');
    writeFileSync(path, 'resources:\n  x:\n    channel: C0X\n    approvers: [U0A]\n  max_duration: 1h\n bogus: here\n');
    const run = jitbot(['policy', 'check', path]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, `${path}: invalid\n  - not valid YAML or JSON: All mapping items must start at the same column (line 6, column 1):  bogus: here\n`);
  });

  test('policy check --probe counts the people of Slack user groups: too few approvers there fail; without --probe they cannot be counted', async () => {
    const slack = await startFakeSlack();
    try {
      slack.setUsergroup('S0SECURITY', ['U0SEC1']);
      slack.setUsergroup('S0ONCALL', ['U0SEC1', 'U0DEV1']);
      const path = join(dir, 'groups.yaml');
      writeFileSync(
        path,
        `approver_groups:
  security: { usergroup: S0SECURITY }
  oncall: { usergroup: S0ONCALL }
resources:
  vault:
    channel: C0X
    approvers: [security, U0LEAD1]
    approvals_required: 3
    max_duration: 1h
  pager:
    channel: C0X
    approvers: [security]
    requesters: [oncall]
    max_duration: 1h
`,
      );
      assert.equal(jitbot(['policy', 'check', path]).status, 0, 'without --probe the groups are not read');
      const env = { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: slack.apiUrl };
      const run = await jitbotAsync(['policy', 'check', path, '--probe'], env);
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.match(
        run.stdout,
        /  approvers in Slack user groups: FAILED\n      - resources\.vault\.approvals_required: approvals_required is 3, but only 2 people could approve: U0LEAD1, U0SEC1 \(with the user groups' members as Slack lists them now\)\n/,
      );
      assert.match(run.stdout, /  warning: resources\.pager\.requesters: a request by U0SEC1 could never be approved: .*nobody else could approve/);

      slack.setUsergroup('S0SECURITY', ['U0SEC1', 'U0SEC2', 'U0SEC3']);
      const fine = await jitbotAsync(['policy', 'check', path, '--probe'], env);
      assert.equal(fine.status, 0, fine.stdout + fine.stderr);
      assert.match(fine.stdout, /  approvers in Slack user groups: OK\n/);
      assert.doesNotMatch(fine.stdout, /warning: resources\.pager/);
    } finally {
      await slack.close();
    }
  });

  test('exceptions lists pending and open opt-out exceptions as JSON lines, --all the closed ones too', async () => {
    const path = join(dir, 'exceptions.sqlite');
    const database = openDatabase(path);
    const store = createSqliteStore(database, { auditKey: TEST_AUDIT_KEY });
    const ask = async (id: string, resource: string) =>
      await store.createException({ id, userId: 'U0ALICE', resource, mode: 'standing', durationMs: 3_600_000, reason: 'legacy VPN', policyVersion: 'v1', createdAt: 1_700_000_000_000 });
    await ask('exc-open', 'vpn');
    await ask('exc-closed', 'wiki');
    const newGrant = (e: { id: string; userId: string; resource: string; reason: string }) =>
      ({ id: `grt-${e.id}`, requestId: null, exceptionId: e.id, userId: e.userId, resource: e.resource, reason: e.reason, grantedAt: 1_700_000_060_000, expiresAt: 1_700_003_660_000 });
    await store.openException({ id: 'exc-open', approverId: 'U0SEC1', at: 1_700_000_060_000, newGrant });
    await store.openException({ id: 'exc-closed', approverId: 'U0SEC1', at: 1_700_000_060_000, newGrant });
    await store.closeException('exc-closed', 'revoked', 'U0SEC1', 1_700_000_120_000);
    database.close();

    const live = jitbot(['exceptions'], { DATABASE_PATH: path });
    assert.equal(live.status, 0, live.stderr);
    const lines = live.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => [l['id'], l['status'], l['decided_by'], l['reason'], l['opens_at'], l['ends_at']]), [
      ['exc-open', 'open', 'U0SEC1', 'legacy VPN', '2023-11-14T22:14:20.000Z', '2023-11-14T23:14:20.000Z'],
    ]);
    const all = jitbot(['exceptions', '--all'], { DATABASE_PATH: path });
    const closed = all.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['id'] === 'exc-closed');
    assert.deepEqual([closed?.['close_reason'], closed?.['closed_by']], ['revoked', 'U0SEC1']);
  });

  test('audit export writes a time range of events in chain order, as JSON lines or CSV, and refuses bad dates', async () => {
    const path = join(dir, 'export.sqlite');
    const database = openDatabase(path);
    const store = createSqliteStore(database, { auditKey: TEST_AUDIT_KEY });
    const day = (d: number) => Date.UTC(2026, 10, d, 12, 0);
    for (const d of [1, 2, 3, 4]) {
      await store.recordEvent({ at: day(d), actor: 'U0X', action: 'decision.refused', subjectType: 'request', subjectId: `req-${d}`, reason: d === 3 ? 'said "no", twice' : 'not_an_approver', details: { d } });
    }
    database.close();

    const jsonl = jitbot(['audit', 'export', '--since', '2026-11-02', '--until', '2026-11-04'], { DATABASE_PATH: path });
    assert.equal(jsonl.status, 0, jsonl.stderr);
    const events = jsonl.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(events.map((e) => [e['seq'], e['at'], e['subject_id'], e['details']]), [
      [2, '2026-11-02T12:00:00.000Z', 'req-2', { d: 2 }],
      [3, '2026-11-03T12:00:00.000Z', 'req-3', { d: 3 }],
    ]);
    assert.match(String(events[0]?.['hash']), /^[0-9a-f]{64}$/);
    assert.equal(events[1]?.['prev_hash'], events[0]?.['hash'], 'the hashes are there to re-check the chain');

    const csv = jitbot(['audit', 'export', '--format', 'csv', '--since', '2026-11-03T00:00:00Z'], { DATABASE_PATH: path });
    assert.equal(csv.status, 0, csv.stderr);
    const lines = csv.stdout.trim().split('\n');
    assert.equal(lines[0], 'seq,at,actor,action,subject_type,subject_id,resource,reason,details,prev_hash,hash');
    assert.equal(lines.length, 3);
    assert.match(lines[1] ?? '', /^3,2026-11-03T12:00:00.000Z,U0X,decision.refused,request,req-3,,"said ""no"", twice","{""d"":3}",/);

    const bad = jitbot(['audit', 'export', '--since', 'last tuesday'], { DATABASE_PATH: path });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--since: expected an ISO 8601 date like 2026-11-01 .*got "last tuesday"/);
    assert.equal(jitbot(['audit', 'export', '--format', 'xml'], { DATABASE_PATH: path }).status, 2);
    assert.equal(jitbot(['audit', 'export', '--sinse', '2026-11-01'], { DATABASE_PATH: path }).status, 2);
  });

  test('review prints the security review of the history as Markdown', async () => {
    const path = join(dir, 'review.sqlite');
    const database = openDatabase(path);
    const store = createSqliteStore(database, { auditKey: TEST_AUDIT_KEY });
    const now = Date.now();
    const request = await store.createRequest({ id: 'req-review1', requesterId: 'U0ALICE', resource: 'prod-db', durationMs: 3_600_000, reason: 'INC-1', policyVersion: 'v1', createdAt: now - 60_000 });
    await store.approve({
      requestId: request.id,
      approverId: 'U0LEAD1',
      at: now - 50_000,
      stages: [{ approvers: ['U0LEAD1'], approvalsRequired: 1 }],
      approverStages: new Set([0]),
      selfApproval: false,
      maxExtensions: 2,
      newGrant: (r) => ({ id: 'grt-review1', requestId: r.id, userId: r.requesterId, resource: r.resource, reason: r.reason, grantedAt: now - 50_000, expiresAt: now + 3_600_000 }),
    });
    database.close();

    const run = jitbot(['review', '--days', '7'], { DATABASE_PATH: path });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^# jitbot security review/);
    assert.match(run.stdout, /## Active grants \(1\)\n\| grant \| who \| resource \| since \| until \| approved by \|\n.*\n\| grt-review1 \| U0ALICE \| prod-db \| .* \| U0LEAD1 \|/);
    assert.match(run.stdout, /### Approved in under 30 s\n[^\n]*\n[^\n]*\n\| req-review1 \| U0ALICE \| prod-db \| U0LEAD1 \| 10 s \|/);
    assert.match(run.stdout, /## Failed revocations \(0\)\n_None\._/);
    assert.equal(jitbot(['review', '--days', '0'], { DATABASE_PATH: path }).status, 2);
  });

  test('--help prints the usage on stdout and exits 0, for the CLI and for one command', () => {
    for (const args of [['--help'], ['-h'], ['help'], []]) {
      const run = jitbot(args);
      assert.equal(run.status, 0, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stdout, /^usage:\n  jitbot policy check/);
      assert.match(run.stdout, /jitbot db backup <file>/);
      assert.equal(run.stderr, '');
    }
    const one = jitbot(['review', 'export', '--help']);
    assert.equal(one.status, 0);
    assert.equal(one.stdout.split('\n')[1], '  jitbot review export <id> [--format md|csv]');
    assert.doesNotMatch(one.stdout, /policy check/);
  });

  test('an unknown command or flag is named on stderr with exit 2, nothing on stdout', async () => {
    const env = { DATABASE_PATH: join(dir, 'usage.sqlite') };
    const cases: [string[], RegExp][] = [
      [['bogus'], /^jitbot: unknown command "bogus" \(jitbot --help lists the commands\)\n$/],
      [['audit', 'verfy'], /^jitbot: unknown command "audit verfy"/],
      [['audit', 'verify', '--fast'], /^jitbot audit verify: unknown option --fast\nusage:\n  jitbot audit verify/],
      [['policy', 'check', '--prob'], /^jitbot policy check: unknown option --prob\n/],
      [['exceptions', '--all=yes'], /^jitbot exceptions: --all takes no value\n/],
      [['audit', 'export', '--format'], /^jitbot audit export: --format needs a value\n/],
      [['review', 'export'], /^jitbot review export: expected one argument\n/],
      [['review', '--days', '-3'], /^jitbot review: --days: expected at least 1 day, got "-3"\n/],
      [['review', '--days', '2.5'], /^jitbot review: --days: expected a whole number of days, got "2.5"\n/],
      [['db', 'backup'], /^jitbot db backup: expected one argument\n/],
    ];
    const runs = await Promise.all(cases.map(([args]) => jitbotAsync(args, env)));
    for (const [i, [args, stderr]] of cases.entries()) {
      const run = runs[i] ?? { status: null, stdout: '', stderr: '' };
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, stderr, args.join(' '));
      assert.equal(run.stdout, '', args.join(' '));
    }
  });

  test('exceptions says on stderr that there are none, keeping stdout for JSON lines', () => {
    const run = jitbot(['exceptions'], { DATABASE_PATH: join(dir, 'no-exceptions.sqlite') });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /there are no pending or open opt-out exceptions in .*no-exceptions\.sqlite/);
  });

  test('the package bin runs the CLI from a checkout without a build', () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/jitbot.js'), 'review', '--days', '0'], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', AUDIT_HMAC_KEY: TEST_AUDIT_KEY, DATABASE_PATH: join(dir, 'bin.sqlite') }, encoding: 'utf8' });
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /--days: expected at least 1 day, got "0"/);
  });

  test('db backup copies a live database, verifies the copy\'s audit chain, and never overwrites a file', async () => {
    const path = join(dir, 'live.sqlite');
    const database = openDatabase(path);
    const store = createSqliteStore(database, { auditKey: TEST_AUDIT_KEY });
    for (let i = 0; i < 5; i += 1) await store.recordEvent({ at: 1_700_000_000_000 + i, actor: 'U0X', action: 'decision.refused', subjectType: 'request', subjectId: `req-${i}`, reason: 'not_an_approver' });
    // The bot keeps the database open (WAL) while the backup runs.
    const copy = join(dir, 'backup.sqlite');
    const run = jitbot(['db', 'backup', copy], { DATABASE_PATH: path });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /backed up .*live\.sqlite to .*backup\.sqlite: 5 audit events, chain OK/);
    await store.recordEvent({ at: 1_700_000_000_010, actor: 'U0X', action: 'decision.refused', subjectType: 'request', subjectId: 'req-after', reason: 'not_an_approver' });
    database.close();

    const again = jitbot(['db', 'backup', copy], { DATABASE_PATH: path });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /backup\.sqlite exists already; name a new file/);

    // Restoring is putting the copy where DATABASE_PATH points: it holds what was there at backup time.
    const restored = jitbot(['audit', 'verify'], { DATABASE_PATH: copy });
    assert.equal(restored.status, 0, restored.stderr);
    assert.match(restored.stdout, /audit chain OK: 5 events/);

    const raw = openDatabase(path);
    raw.sqlite.exec('DROP TRIGGER audit_events_no_update');
    raw.sqlite.prepare("UPDATE audit_events SET actor = 'U0EVE' WHERE seq = 3").run();
    raw.close();
    const tampered = jitbot(['db', 'backup', join(dir, 'tampered-backup.sqlite')], { DATABASE_PATH: path });
    assert.equal(tampered.status, 1);
    assert.match(tampered.stderr, /BROKEN audit chain at event 3/);
  });

  test('audit verify says OK with the count, and names the first broken event after tampering', async () => {
    const path = join(dir, 'audit.sqlite');
    const database = openDatabase(path);
    const store = createSqliteStore(database, { auditKey: TEST_AUDIT_KEY });
    for (let i = 0; i < 3; i += 1) await store.recordEvent({ at: 1_700_000_000_000 + i, actor: 'U0X', action: 'decision.refused', subjectType: 'request', subjectId: `req-${i}`, reason: 'not_an_approver' });
    database.close();
    const good = jitbot(['audit', 'verify'], { DATABASE_PATH: path });
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /audit chain OK: 3 events/);

    const raw = openDatabase(path);
    raw.sqlite.exec('DROP TRIGGER audit_events_no_update');
    raw.sqlite.prepare("UPDATE audit_events SET actor = 'U0EVE' WHERE seq = 2").run();
    raw.close();
    const bad = jitbot(['audit', 'verify'], { DATABASE_PATH: path });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /BROKEN at event 2/);
  });

  test('audit verify --checkpoint fails once the database no longer reaches it: the last events deleted and SQLite’s counter reset', async () => {
    const path = join(dir, 'checkpointed.sqlite');
    const database = openDatabase(path);
    const store = createSqliteStore(database, { auditKey: TEST_AUDIT_KEY });
    for (let i = 0; i < 5; i += 1) await store.recordEvent({ at: 1_700_000_000_000 + i, actor: 'U0X', action: 'break_glass.used', subjectType: 'grant', subjectId: `grt-${i}` });
    const head = await store.auditHead();
    assert.ok(head);
    const file = join(dir, 'checkpoint.json');
    writeFileSync(file, JSON.stringify({ type: 'audit.checkpoint', data: store.auditCheckpoint(head, 1_700_000_001_000) }));
    database.close();
    const short = `${head.seq}:${head.hash}`;

    const good = jitbot(['audit', 'verify', '--checkpoint', file], { DATABASE_PATH: path });
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, new RegExp(`audit chain OK: 5 events up to 5:${head.hash}; reaches the signed checkpoint at event 5\n`));
    assert.equal(jitbot(['audit', 'verify', '--checkpoint', short], { DATABASE_PATH: path }).status, 0);

    const raw = openDatabase(path);
    raw.sqlite.exec("DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq > 3; UPDATE sqlite_sequence SET seq = 3 WHERE name = 'audit_events'");
    raw.close();
    assert.equal(jitbot(['audit', 'verify'], { DATABASE_PATH: path }).status, 0, 'what is left is a valid chain on its own');
    for (const checkpoint of [file, short]) {
      const bad = jitbot(['audit', 'verify', '--checkpoint', checkpoint], { DATABASE_PATH: path });
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /does NOT reach the checkpoint: the log ends at event 3, before the checkpoint's event 5: events were removed/);
    }
  });

  test('audit verify refuses a checkpoint whose signature does not verify, and needs AUDIT_HMAC_KEY', async () => {
    const path = join(dir, 'signed.sqlite');
    const database = openDatabase(path);
    const store = createSqliteStore(database, { auditKey: TEST_AUDIT_KEY });
    await store.recordEvent({ at: 1_700_000_000_000, actor: 'U0X', action: 'decision.refused', subjectType: 'request', subjectId: 'req-1' });
    const head = await store.auditHead();
    assert.ok(head);
    const checkpoint = store.auditCheckpoint(head, 1_700_000_001_000);
    database.close();
    const file = join(dir, 'forged-checkpoint.json');
    writeFileSync(file, JSON.stringify({ ...checkpoint, seq: 2 }));
    const forged = jitbot(['audit', 'verify', '--checkpoint', file], { DATABASE_PATH: path });
    assert.equal(forged.status, 2);
    assert.match(forged.stderr, /signature does not verify with AUDIT_HMAC_KEY/);
    const noKey = jitbot(['audit', 'verify'], { DATABASE_PATH: path, AUDIT_HMAC_KEY: '' });
    assert.equal(noKey.status, 2);
    assert.match(noKey.stderr, /AUDIT_HMAC_KEY: required/);
    const otherKey = jitbot(['audit', 'verify'], { DATABASE_PATH: path, AUDIT_HMAC_KEY: 'x'.repeat(32) });
    assert.equal(otherKey.status, 1);
    assert.match(otherKey.stderr, /BROKEN at event 1: .*AUDIT_HMAC_KEY is not the key it was written with/);
  });
});
