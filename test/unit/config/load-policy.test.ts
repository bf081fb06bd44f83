import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ConfigError } from '../../../src/config/errors.js';
import { loadPolicyFile, parsePolicy } from '../../../src/config/load-policy.js';
import { securityTeam } from '../../../src/domain/principals.js';

/** A complete policy: stages, escalation, break-glass, opt-out and every provisioner type. */
const FULL_POLICY = `
settings:
  timezone: Europe/Paris
  security_channel: C0SECURITY
  expiry_warning: 10m
  pending_timeout: 24h
  reconcile_interval: 30s
  review_schedule: weekly

approver_groups:
  db-leads:  { users: [U0LEAD1, U0LEAD2] }
  security:  { usergroup: S0SECURITY }
  engineers: { users: [U0DEV1, U0DEV2, U0LEAD1] }

resources:
  prod-db:
    description: Production PostgreSQL, read/write
    channel: C0DBAPPROVALS
    approvers: [db-leads]
    approvals_required: 1
    self_approval: false
    requesters: [engineers]
    max_duration: 2h
    default_duration: 1h
    reason_pattern: "INC-[0-9]+"
    stages:
      - { approvers: [db-leads], approvals_required: 1 }
      - { approvers: [security], approvals_required: 1 }
    escalation: { after: 15m, to: [security] }
    break_glass: { allowed: true, eligible: [db-leads], max_duration: 1h }
    opt_out:
      allowed: true
      eligible: [db-leads]
      approvers: [security]
      max_duration: 7d
      mode: auto_approve
    provisioner:
      type: webhook
      url: https://access.internal/hooks/prod-db
      secret_env: PROD_DB_WEBHOOK_SECRET
  vpn:
    channel: C0NET
    approvers: [security]
    max_duration: 8h
    provisioner: { type: command, run: [./bin/vpn-access, --profile, prod], timeout: 30s }
  pg-ro:
    channel: C0DB
    approvers: [U0LEAD1]
    max_duration: 4h
    provisioner: { type: postgres, connection_env: PROD_DB_ADMIN_URL, role: app_readwrite,
                   login: email_localpart, terminate_sessions: true, valid_until: true }
  pg-mapped:
    channel: C0DB
    approvers: [U0LEAD1]
    max_duration: 4h
    provisioner: { type: postgres, connection_env: PROD_DB_ADMIN_URL, role: app_read,
                   login: { U0ALICE: alice, W0BOB: bob } }
  oncall:
    channel: G0ONCALL
    approvers: [db-leads, U0LEAD2]
    max_duration: 12h
    provisioner: { type: slack_usergroup, usergroup: S0ONCALL }
  idp:
    channel: C0IDP
    approvers: [security]
    max_duration: 1d
    provisioner: { type: module, path: ./provisioners/my-idp.js, options: { tenant: acme, retries: 3 } }
  notes:
    channel: C0NOTES
    approvers: [W0WORKER]
    max_duration: 90s
    provisioner: { type: none }
  bare:
    channel: C0BARE
    approvers: [U0LEAD1]
    max_duration: 1h
`;

/** A small valid policy; `extra` lines are appended inside resources.prod-db. */
function smallPolicy(extra = '', maxDuration = 'max_duration: 2h'): string {
  return `
approver_groups:
  db-leads: { users: [U0LEAD1, U0LEAD2] }
resources:
  prod-db:
    channel: C0DBAPPROVALS
    approvers: [db-leads]
    ${maxDuration}
${extra}`;
}

function configError(text: string): ConfigError {
  try {
    parsePolicy(text, 'test.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the policy to be refused');
}

const ms = (d: { toMillis(): number } | undefined) => d?.toMillis();

describe('a valid policy', () => {
  const { policy, version } = parsePolicy(FULL_POLICY, 'full.yaml');

  test('a complete policy parses, with durations read as durations', () => {
    const db = policy.resources['prod-db'];
    assert.ok(db);
    assert.equal(ms(db.max_duration), 2 * 3_600_000);
    assert.equal(ms(db.default_duration), 3_600_000);
    assert.equal(db.reason_pattern, 'INC-[0-9]+');
    assert.deepEqual(db.requesters, ['engineers']);
    assert.equal(db.stages?.length, 2);
    assert.deepEqual(db.stages?.[1], { approvers: ['security'], approvals_required: 1 });
    assert.equal(ms(db.escalation?.after), 15 * 60_000);
    assert.deepEqual(db.escalation?.to, ['security']);
    assert.equal(db.break_glass?.allowed, true);
    assert.equal(ms(db.break_glass?.max_duration), 3_600_000);
    assert.equal(db.opt_out?.mode, 'auto_approve');
    assert.equal(ms(db.opt_out?.max_duration), 7 * 86_400_000);
    assert.deepEqual(policy.approver_groups.security, { usergroup: 'S0SECURITY' });
    assert.equal(policy.settings.timezone, 'Europe/Paris');
    assert.equal(ms(policy.settings.pending_timeout), 86_400_000);
  });

  test('every provisioner type parses, with documented defaults filled in', () => {
    const p = (name: string) => policy.resources[name]?.provisioner;
    const webhook = p('prod-db');
    assert.ok(webhook?.type === 'webhook');
    assert.equal(webhook.url, 'https://access.internal/hooks/prod-db');
    assert.equal(webhook.secret_env, 'PROD_DB_WEBHOOK_SECRET');
    assert.equal(ms(webhook.timeout), 10_000, 'webhook timeout defaults to 10s');

    const command = p('vpn');
    assert.ok(command?.type === 'command');
    assert.deepEqual(command.run, ['./bin/vpn-access', '--profile', 'prod']);
    assert.equal(ms(command.timeout), 30_000);

    const pg = p('pg-ro');
    assert.ok(pg?.type === 'postgres');
    assert.equal(pg.login, 'email_localpart');
    assert.equal(pg.terminate_sessions, true);
    assert.equal(pg.valid_until, true);

    assert.equal(pg.email_domain, undefined, 'email_domain is optional (policy check warns without it)');

    const mapped = p('pg-mapped');
    assert.ok(mapped?.type === 'postgres');
    assert.deepEqual(mapped.login, { U0ALICE: 'alice', W0BOB: 'bob' });
    assert.equal(mapped.terminate_sessions, false);

    const usergroup = p('oncall');
    assert.ok(usergroup?.type === 'slack_usergroup');
    assert.equal(usergroup.usergroup, 'S0ONCALL');

    const module = p('idp');
    assert.ok(module?.type === 'module');
    assert.equal(module.path, './provisioners/my-idp.js');
    assert.deepEqual(module.options, { tenant: 'acme', retries: 3 });

    assert.deepEqual(p('notes'), { type: 'none' });
    assert.deepEqual(p('bare'), { type: 'none' }, 'no provisioner means record and notify only');
  });

  test('omitted resource settings take their documented defaults', () => {
    const bare = policy.resources.bare;
    assert.ok(bare);
    assert.equal(bare.approvals_required, 1);
    assert.equal(bare.self_approval, false);
    assert.equal(bare.requesters, undefined, 'absent requesters means anyone');
    assert.equal(bare.default_duration, undefined);
  });

  test('omitted settings take their documented defaults', () => {
    const { settings } = parsePolicy(smallPolicy(), 'small.yaml').policy;
    assert.equal(settings.timezone, 'UTC');
    assert.equal(ms(settings.expiry_warning), 10 * 60_000);
    assert.equal(ms(settings.pending_timeout), 24 * 3_600_000);
    assert.equal(ms(settings.reconcile_interval), 30_000);
    assert.equal(settings.review_schedule, 'weekly');
    assert.equal(settings.security_channel, undefined);
  });

  test('the version is a fingerprint of the text: same text, same version; other text, other version', () => {
    assert.match(version, /^[0-9a-f]{16}$/);
    assert.equal(parsePolicy(FULL_POLICY, 'again.yaml').version, version);
    assert.notEqual(parsePolicy(`${FULL_POLICY}\n# edited\n`, 'full.yaml').version, version);
  });

  test('JSON text is accepted as well as YAML', () => {
    const json = JSON.stringify({
      approver_groups: { 'db-leads': { users: ['U0LEAD1'] } },
      resources: { 'prod-db': { channel: 'C0DB', approvers: ['db-leads'], max_duration: '2h', default_duration: '30m' } },
    });
    const { policy: parsed } = parsePolicy(json, 'policy.json');
    assert.equal(ms(parsed.resources['prod-db']?.default_duration), 30 * 60_000);
  });

  test('expiry_warning: 0m turns the warning off (parses to zero)', () => {
    const { policy: parsed } = parsePolicy(`${smallPolicy()}\nsettings: { expiry_warning: 0m }\n`, 'test.yaml');
    assert.equal(ms(parsed.settings.expiry_warning), 0);
  });

  test('expiry_warning: 0 turns the warning off, as the policy docs say', () => {
    const { policy: parsed } = parsePolicy(`${smallPolicy()}\nsettings: { expiry_warning: 0 }\n`, 'test.yaml');
    assert.equal(ms(parsed.settings.expiry_warning), 0);
  });

  test('policy.example.yaml at the repo root parses', () => {
    const path = new URL('../../../policy.example.yaml', import.meta.url);
    const { policy: example } = parsePolicy(readFileSync(path, 'utf8'), 'policy.example.yaml');
    assert.ok(Object.keys(example.resources).length > 0);
    for (const [name, r] of Object.entries(example.resources)) {
      assert.ok(r.max_duration.toMillis() > 0, `${name} has a max_duration`);
    }
  });
});

describe('an invalid policy stops with one message naming the key and what was expected', () => {
  test('max_duration: 2x → "resources.prod-db.max_duration: expected a duration…"', () => {
    const error = configError(smallPolicy('', 'max_duration: 2x'));
    assert.match(error.message, /^test\.yaml: resources\.prod-db\.max_duration: expected a duration like 90s, 30m.*got "2x"/);
  });

  test('a misspelt optional key (default_duraton) is named as unrecognised at its resource', () => {
    const error = configError(smallPolicy('    default_duraton: 1h'));
    assert.match(error.message, /^test\.yaml: resources\.prod-db: .*"default_duraton"/);
  });

  test('a misspelt required key (max_duraton) is reported once, with the key meant, and not again as max_duration missing', () => {
    const error = configError(smallPolicy('', 'max_duraton: 2h'));
    assert.deepEqual(error.problems, ['resources.prod-db: Unrecognized key: "max_duraton" (did you mean max_duration?)']);
    assert.equal(error.message, 'test.yaml: resources.prod-db: Unrecognized key: "max_duraton" (did you mean max_duration?)');
  });

  test('a misspelt key is matched to the keys of its own place: settings, a stage, a provisioner of its type', () => {
    const problems = (text: string) => configError(text).problems;
    assert.deepEqual(problems(`settings: { timzone: UTC }\n${smallPolicy()}`), ['settings: Unrecognized key: "timzone" (did you mean timezone?)']);
    assert.deepEqual(problems(smallPolicy('    stages: [{ approvers: [db-leads], approval_required: 1 }]')), ['resources.prod-db.stages.0: Unrecognized key: "approval_required" (did you mean approvals_required?)']);
    assert.deepEqual(problems(smallPolicy('    provisioner: { type: webhook, url: https://x.example/h, secret-env: HOOK }')), ['resources.prod-db.provisioner: Unrecognized key: "secret-env" (did you mean secret_env?)']);
    assert.deepEqual(problems(smallPolicy('    Requesters: [db-leads]')), ['resources.prod-db: Unrecognized key: "Requesters" (did you mean requesters?)']);
    assert.deepEqual(problems(smallPolicy('    colour: blue')), ['resources.prod-db: Unrecognized key: "colour"'], 'nothing close: no guess');
  });

  test('a missing required key says it is missing and what is expected, never the validator\'s own words', () => {
    const problems = configError(smallPolicy('    provisioner: { type: postgres, login: email_localpart }').replace('    channel: C0DBAPPROVALS\n', '')).problems;
    assert.deepEqual(problems, [
      'resources.prod-db.channel: expected a Slack channel ID like C0123ABCD; it is missing',
      'resources.prod-db.provisioner.connection_env: expected an environment variable name; it is missing',
      'resources.prod-db.provisioner.role: expected text; it is missing',
    ]);
    for (const p of problems) assert.doesNotMatch(p, /received|Invalid input/);
  });

  test('a value of the wrong kind is echoed beside what was expected', () => {
    assert.deepEqual(configError(smallPolicy('    approvals_required: two\n    self_approval: yes')).problems, [
      'resources.prod-db.approvals_required: expected a number, got "two"',
      'resources.prod-db.self_approval: expected true or false, got "yes"',
    ]);
    assert.deepEqual(configError(smallPolicy().replace('C0DBAPPROVALS', 'db-approvals')).problems, ['resources.prod-db.channel: expected a Slack channel ID like C0123ABCD, got "db-approvals"']);
    assert.deepEqual(configError(smallPolicy().replace('C0DBAPPROVALS', '')).problems, ['resources.prod-db.channel: expected a Slack channel ID like C0123ABCD; it is missing']);
  });

  // The start-up message shows only the first problem; for a typo that is "max_duration: expected a
  // duration like 90s…" — which never mentions the key the person actually wrote.
  test('the start-up message for a misspelt required key (max_duraton) names the misspelt key', () => {
    const error = configError(smallPolicy('', 'max_duraton: 2h'));
    assert.match(error.message, /max_duraton/);
  });

  test('an approver naming an unknown group is refused at that list position', () => {
    const error = configError(smallPolicy().replace('approvers: [db-leads]', 'approvers: [db-leads, db-laeds]'));
    assert.match(error.message, /^test\.yaml: resources\.prod-db\.approvers\.1: "db-laeds" is neither a user ID .* nor a name in approver_groups/);
  });

  test('an unknown group in a stage, escalation or opt-out list is refused at its path', () => {
    const paths = [
      ['    stages: [{ approvers: [ghosts] }]', 'resources.prod-db.stages.0.approvers.0'],
      ['    escalation: { after: 15m, to: [ghosts] }', 'resources.prod-db.escalation.to.0'],
      ['    opt_out: { max_duration: 1d, approvers: [ghosts] }', 'resources.prod-db.opt_out.approvers.0'],
      ['    requesters: [ghosts]', 'resources.prod-db.requesters.0'],
    ] as const;
    for (const [extra, path] of paths) {
      const error = configError(smallPolicy(extra));
      assert.ok(error.message.startsWith(`test.yaml: ${path}: "ghosts"`), `${extra} → ${error.message}`);
    }
  });

  test('an allowed opt-out with nobody to approve it is refused, since nobody approves their own exception', () => {
    const error = configError(smallPolicy('    opt_out: { allowed: true, max_duration: 1d }'));
    assert.match(error.message, /^test\.yaml: resources\.prod-db\.opt_out\.approvers: expected the approvers of opt-out exceptions/);
  });

  test('an approver named like a built-in object property ("constructor") is refused as an unknown group', () => {
    const error = configError(smallPolicy().replace('approvers: [db-leads]', 'approvers: [constructor]'));
    assert.match(error.message, /resources\.prod-db\.approvers\.0: "constructor" is neither a user ID/);
  });

  test('a channel that is not a Slack channel ID is refused', () => {
    const error = configError(smallPolicy().replace('C0DBAPPROVALS', '#db-approvals'));
    assert.match(error.message, /^test\.yaml: resources\.prod-db\.channel: expected a Slack channel ID like C0123ABCD/);
  });

  test('a reason_pattern that is not a valid regular expression is refused', () => {
    const error = configError(smallPolicy('    reason_pattern: "INC-[0-9"'));
    assert.match(error.message, /^test\.yaml: resources\.prod-db\.reason_pattern: expected a valid regular expression/);
  });

  test('a default_duration over max_duration is refused, naming both values', () => {
    const error = configError(smallPolicy('    default_duration: 3h'));
    assert.match(error.message, /^test\.yaml: resources\.prod-db\.default_duration: expected at most max_duration/);
    assert.equal(error.message, 'test.yaml: resources.prod-db.default_duration: expected at most max_duration (2h), got 3h');
  });

  test('a zero max_duration is refused', () => {
    const error = configError(smallPolicy('', 'max_duration: 0m'));
    assert.match(error.message, /^test\.yaml: resources\.prod-db\.max_duration: expected a duration longer than zero/);
  });

  test('a resource with neither approvers nor stages is refused', () => {
    const error = configError(smallPolicy().replace('    approvers: [db-leads]\n', ''));
    assert.match(error.message, /^test\.yaml: resources\.prod-db\.approvers: expected approvers or stages/);
  });

  test('email_domain on a postgres provisioner is one domain or a list, read without case', () => {
    const domains = (value: string) => {
      const { policy } = parsePolicy(smallPolicy(`    provisioner: { type: postgres, connection_env: PG_URL, role: app, login: email_localpart, email_domain: ${value} }`), 'test.yaml');
      const provisioner = policy.resources['prod-db']?.provisioner;
      return provisioner?.type === 'postgres' ? provisioner.email_domain : undefined;
    };
    assert.deepEqual(domains('Example.com'), ['example.com']);
    assert.deepEqual(domains('[example.com, corp.example]'), ['example.com', 'corp.example']);
  });

  test('an email_domain that is not a domain, or beside a login map, is refused at its path', () => {
    const pgWith = (extra: string) => smallPolicy(`    provisioner: { type: postgres, connection_env: PG_URL, role: app, ${extra} }`);
    assert.match(configError(pgWith('login: email_localpart, email_domain: "@example.com"')).message, /resources\.prod-db\.provisioner\.email_domain: expected an email domain like example\.com/);
    assert.match(configError(pgWith('login: email_localpart, email_domain: []')).message, /resources\.prod-db\.provisioner\.email_domain: expected at least one email domain/);
    assert.match(configError(pgWith('login: { U0ALICE: alice }, email_domain: example.com')).message, /resources\.prod-db\.provisioner\.email_domain: applies only to login: email_localpart/);
  });

  test('an unknown provisioner type is refused and lists the types', () => {
    const error = configError(smallPolicy('    provisioner: { type: ldap }'));
    assert.match(error.message, /^test\.yaml: resources\.prod-db\.provisioner\.type: expected type: webhook \| command \| postgres/);
  });

  test('a policy without resources is refused, naming resources', () => {
    const error = configError('settings: { timezone: UTC }\n');
    assert.match(error.message, /^test\.yaml: resources: .*expected/);
  });

  test('an empty file is refused, naming resources', () => {
    assert.match(configError('').message, /^test\.yaml: resources: /);
  });

  test('an empty resources map is refused', () => {
    assert.match(configError('resources: {}\n').message, /^test\.yaml: resources: expected at least one resource/);
  });

  test('text that is not YAML is refused, naming the file and the line', () => {
    const error = configError('resources: [a\n  b: :');
    assert.match(error.message, /^test\.yaml: not valid YAML or JSON: .*line 1/);
  });

  test('a YAML syntax error ends with the offending line, not a dangling "at line 5, column 1:"', () => {
    const error = configError('resources:\n  prod-db:\n    channel: C0DB\n    approvers: [U0A]\n max_duration: 1h\n');
    assert.equal(error.message, 'test.yaml: not valid YAML or JSON: All mapping items must start at the same column (line 5, column 1):  max_duration: 1h');
    assert.deepEqual(error.problems, [error.message]);
  });

  test('a YAML error past the last line (a bracket left open) ends with the last line written', () => {
    const error = configError('resources:\n  prod-db: [1\n');
    assert.match(error.message, /^test\.yaml: not valid YAML or JSON: .* \(after line 2\):   prod-db: \[1$/);
  });

  test('every problem is listed for `jitbot policy check`, the first in the message', () => {
    const error = configError(smallPolicy('    default_duration: 3h\n    reason_pattern: "("').replace('C0DBAPPROVALS', 'nope'));
    assert.equal(error.problems.length, 3, error.problems.join('\n'));
    assert.match(error.message, /and 2 more problem\(s\); run `jitbot policy check`/);
  });
});

describe('loadPolicyFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jitbot-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('reads and parses a policy file', () => {
    const path = join(dir, 'policy.yaml');
    writeFileSync(path, smallPolicy());
    assert.equal(ms(loadPolicyFile(path).policy.resources['prod-db']?.max_duration), 2 * 3_600_000);
  });

  test('problems in a file are reported with the file path', () => {
    const path = join(dir, 'broken.yaml');
    writeFileSync(path, smallPolicy('', 'max_duration: 2x'));
    assert.throws(() => loadPolicyFile(path), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.ok(error.message.startsWith(`${path}: resources.prod-db.max_duration:`), error.message);
      return true;
    });
  });

  test('a missing file names the path and suggests copying policy.example.yaml', () => {
    const path = join(dir, 'nope', 'policy.yaml');
    assert.throws(() => loadPolicyFile(path), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.ok(error.message.startsWith(`${path}: policy file not found`), error.message);
      assert.match(error.message, /POLICY_PATH/);
      assert.match(error.message, /policy\.example\.yaml/);
      return true;
    });
  });
});

describe('settings.security_team', () => {
  test('names users or approver groups; an unknown name is refused with its path', () => {
    const error = configError(`settings:\n  security_team: [secops]\n${smallPolicy()}`);
    assert.match(error.message, /settings\.security_team\.0: "secops" is neither a user ID/);
    const { policy } = parsePolicy(`settings:\n  security_team: [db-leads, U0CISO]\n${smallPolicy()}`, 'team.yaml');
    assert.deepEqual(securityTeam(policy), ['db-leads', 'U0CISO']);
  });

  test('defaults to the approver group named security, and to nobody without one', () => {
    assert.deepEqual(securityTeam(parsePolicy(smallPolicy(), 'none.yaml').policy), []);
    const withGroup = smallPolicy().replace('approver_groups:\n', 'approver_groups:\n  security: { usergroup: S0SECURITY }\n');
    assert.deepEqual(securityTeam(parsePolicy(withGroup, 'group.yaml').policy), ['security']);
  });
});

describe('a policy whose requests could never be approved is refused', () => {
  const policyWith = (resource: string, groups = '  db-leads: { users: [U0LEAD1, U0LEAD2] }') => `approver_groups:\n${groups}\nresources:\n  prod-db:\n    channel: C0DB\n    max_duration: 2h\n${resource}`;

  test('approvals_required above the distinct people listed names the value and the people', () => {
    assert.deepEqual(configError(policyWith('    approvers: [db-leads, U0LEAD1]\n    approvals_required: 3\n')).problems, [
      'resources.prod-db.approvals_required: approvals_required is 3, but only 2 people could approve: U0LEAD1, U0LEAD2',
    ]);
  });

  test('the only requester being the only approver, without self_approval, is refused; with self_approval it works', () => {
    assert.deepEqual(configError(policyWith('    approvers: [U0LEAD1]\n    requesters: [U0LEAD1]\n')).problems, [
      'resources.prod-db.requesters: a request by U0LEAD1 could never be approved: approvals_required is 1, the requester never approves their own (self_approval is false), and nobody else could approve',
    ]);
    assert.ok(parsePolicy(policyWith('    approvers: [U0LEAD1]\n    requesters: [U0LEAD1]\n    self_approval: true\n'), 'ok.yaml'));
    assert.ok(parsePolicy(policyWith('    approvers: [U0LEAD1]\n'), 'anyone.yaml'), 'anyone else in the workspace may ask');
  });

  test('stages that can never complete, since nobody approves twice, are refused', () => {
    const stages = '    stages:\n      - { approvers: [db-leads], approvals_required: 2 }\n      - { approvers: [U0LEAD2] }\n';
    assert.deepEqual(configError(policyWith(stages)).problems, [
      'resources.prod-db.stages: stages 1 and 2 need 3 different people between them (nobody approves twice), but only 2 people could approve: U0LEAD1, U0LEAD2',
    ]);
    assert.deepEqual(configError(policyWith('    stages:\n      - { approvers: [U0LEAD1] }\n      - { approvers: [db-leads], approvals_required: 3 }\n')).problems, [
      'resources.prod-db.stages.1.approvals_required: stage 2 needs 3 approvals, but only 2 people could approve: U0LEAD1, U0LEAD2',
    ]);
    assert.ok(parsePolicy(policyWith('    stages:\n      - { approvers: [db-leads] }\n      - { approvers: [db-leads] }\n'), 'two.yaml'), 'one lead each stage');
  });

  test('escalation.to counts: a chain it can complete is not refused', () => {
    assert.ok(parsePolicy(policyWith('    approvers: [U0LEAD1]\n    approvals_required: 2\n    escalation: { after: 15m, to: [U0CISO] }\n'), 'esc.yaml'));
  });

  test('a Slack user group is not counted without its members (only `policy check --probe` reads them)', () => {
    assert.ok(parsePolicy(policyWith('    approvers: [security]\n    approvals_required: 5\n', '  security: { usergroup: S0SEC }'), 'group.yaml'));
  });
});
