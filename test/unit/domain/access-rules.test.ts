import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePolicy } from '../../../src/config/load-policy.js';
import { checkAccessAsk, MAX_REASON_LENGTH, type AccessAsk } from '../../../src/domain/access-rules.js';

const policy = parsePolicy(
  `
approver_groups:
  db-leads: { users: [U0LEAD1, U0LEAD2] }
resources:
  prod-db:
    channel: C0DBAPPROVALS
    approvers: [db-leads]
    max_duration: 2h
    default_duration: 1h
    reason_pattern: "INC-[0-9]+"
  staging:
    channel: C0STAGING
    approvers: [U0LEAD1]
    max_duration: 1d
`,
  'test.yaml',
).policy;

const ask = (overrides: Partial<AccessAsk>): AccessAsk => ({
  resource: 'prod-db',
  durationText: '30m',
  reason: 'debugging INC-4211',
  ...overrides,
});

function refusal(a: AccessAsk): string {
  const result = checkAccessAsk(policy, a);
  assert.equal(result.ok, false, `expected a refusal for ${JSON.stringify(a)}`);
  assert.ok(!result.ok);
  return result.error.message;
}

describe('checkAccessAsk', () => {
  test('each refusal names the field it is about, so the form can show it there', () => {
    const field = (a: Partial<AccessAsk>) => {
      const result = checkAccessAsk(policy, ask(a));
      return result.ok ? undefined : result.error.field;
    };
    assert.equal(field({ resource: 'nope' }), 'resource');
    assert.equal(field({ durationText: '9h' }), 'durationText');
    assert.equal(field({ durationText: 'soon' }), 'durationText');
    assert.equal(field({ reason: ' ' }), 'reason');
    assert.equal(field({ reason: 'no ticket' }), 'reason');
  });

  test('a well-formed ask is accepted with its duration and trimmed reason', () => {
    const result = checkAccessAsk(policy, ask({ reason: '  debugging INC-4211  ' }));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.resourceName, 'prod-db');
    assert.equal(result.value.duration.toMillis(), 30 * 60_000);
    assert.equal(result.value.reason, 'debugging INC-4211');
    assert.equal(result.value.resource, policy.resources['prod-db']);
  });

  test('an unknown resource is refused and the message lists the resources one can request', () => {
    const message = refusal(ask({ resource: 'prod-dbx' }));
    assert.match(message, /no resource called "prod-dbx"/);
    assert.match(message, /prod-db, staging/);
  });

  test('a duration that is not one ("3x0") is refused with an example of a valid one', () => {
    const message = refusal(ask({ durationText: '3x0' }));
    assert.match(message, /"3x0" is not a duration/);
    assert.match(message, /`\/request prod-db 1h <reason>`/);
  });

  for (const meant of ['forever', '1 hour', '2days', '90', '-5m', '1.5h', 'P1D']) {
    test(`a length jitbot cannot read ("${meant}") is refused with what lengths look like and the resource's limit`, () => {
      const message = refusal(ask({ durationText: meant }));
      assert.match(message, new RegExp(`"${meant.replace('.', '\\.')}" is (not a duration|negative)`));
      assert.match(message, /`30m`, `2h`, `1h30m` or `1d`/);
      assert.match(message, /prod-db allows at most 2 h/);
      assert.match(message, /`\/request prod-db 1h <reason>`/);
    });
  }

  test('a zero duration is refused because it grants nothing', () => {
    assert.match(refusal(ask({ durationText: '0m' })), /grants nothing/);
  });

  test('a negative duration is refused as negative', () => {
    assert.match(refusal(ask({ durationText: '-5m' })), /"-5m" is negative/);
  });

  test('a leading "+" on a duration is tolerated', () => {
    const result = checkAccessAsk(policy, ask({ durationText: '+45m' }));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.duration.toMillis(), 45 * 60_000);
  });

  test('a duration over max_duration is refused and the message states the maximum', () => {
    const message = refusal(ask({ durationText: '3h' }));
    assert.match(message, /3 h is longer than prod-db allows: at most 2 h/);
    assert.match(message, /Ask for 2h or less/);
  });

  test('exactly max_duration is allowed', () => {
    const result = checkAccessAsk(policy, ask({ durationText: '2h' }));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.duration.toMillis(), 2 * 3_600_000);
  });

  test('a missing reason is refused and shows the command to type', () => {
    const message = refusal(ask({ reason: '   ' }));
    assert.match(message, /say why you need access/);
    assert.match(message, /`\/request prod-db 1h <reason>`/);
  });

  test(`a reason over ${MAX_REASON_LENGTH} characters is refused and says how long it was`, () => {
    const reason = `INC-1 ${'x'.repeat(MAX_REASON_LENGTH)}`;
    const message = refusal(ask({ reason }));
    assert.match(message, new RegExp(`is ${reason.length} characters long; keep it under ${MAX_REASON_LENGTH}`));
  });

  test(`a reason of exactly ${MAX_REASON_LENGTH} characters is accepted`, () => {
    const reason = `INC-1 ${'x'.repeat(MAX_REASON_LENGTH - 6)}`;
    assert.equal(reason.length, MAX_REASON_LENGTH);
    assert.ok(checkAccessAsk(policy, ask({ reason })).ok);
  });

  test('a reason without the ticket pattern is refused and says which pattern', () => {
    const message = refusal(ask({ reason: 'just because' }));
    assert.match(message, /prod-db needs a reason that contains a match for `INC-\[0-9\]\+`/);
  });

  test('a reason containing the ticket pattern anywhere is accepted', () => {
    assert.ok(checkAccessAsk(policy, ask({ reason: 'see INC-7 for context' })).ok);
  });

  test('a resource without reason_pattern accepts any reason', () => {
    assert.ok(checkAccessAsk(policy, ask({ resource: 'staging', reason: 'just because' })).ok);
  });

  test('with no duration given, default_duration is used', () => {
    const result = checkAccessAsk(policy, ask({ durationText: undefined }));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.duration.toMillis(), 3_600_000);
  });

  test('with no duration given and no default_duration, the ask is refused with an example using max_duration', () => {
    const message = refusal(ask({ resource: 'staging', durationText: undefined, reason: 'deploy' }));
    assert.match(message, /Say how long you need staging/);
    assert.match(message, /`\/request staging 1d <reason>`/);
  });

  for (const name of ['constructor', '__proto__']) {
    test(`a resource named like a built-in object property ("${name}") is refused as unknown, not a crash`, () => {
      let message = '';
      try {
        message = refusal(ask({ resource: name }));
      } catch (error) {
        assert.fail(`checkAccessAsk threw instead of refusing: ${String(error)}`);
      }
      assert.match(message, new RegExp(`no resource called "${name}"`));
    });
  }
});
