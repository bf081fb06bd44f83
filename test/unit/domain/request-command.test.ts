import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRequestCommand } from '../../../src/domain/request-command.js';

describe('/request with no text or a keyword', () => {
  test('no text opens the modal', () => {
    assert.deepEqual(parseRequestCommand(''), { kind: 'modal' });
  });

  test('only spaces also opens the modal', () => {
    assert.deepEqual(parseRequestCommand('   \t '), { kind: 'modal' });
  });

  test('"help" asks for usage', () => {
    assert.deepEqual(parseRequestCommand('help'), { kind: 'help' });
  });

  test('"list" asks for my requests and grants', () => {
    assert.deepEqual(parseRequestCommand('list'), { kind: 'list' });
  });

  test('"review" asks for the security review report', () => {
    assert.deepEqual(parseRequestCommand('review'), { kind: 'review' });
  });

  test('keywords are recognised in any case ("LIST")', () => {
    assert.deepEqual(parseRequestCommand('LIST'), { kind: 'list' });
  });
});

describe('/request release, cancel and revoke', () => {
  test('"release grt-x" releases that grant', () => {
    assert.deepEqual(parseRequestCommand('release grt-x'), { kind: 'release', target: 'grt-x' });
  });

  test('"release prod-db" may name a resource instead of a grant', () => {
    assert.deepEqual(parseRequestCommand('release prod-db'), { kind: 'release', target: 'prod-db' });
  });

  test('"cancel req-x" withdraws that request', () => {
    assert.deepEqual(parseRequestCommand('cancel req-x'), { kind: 'cancel', requestId: 'req-x' });
  });

  test('"revoke grt-x" revokes that grant', () => {
    assert.deepEqual(parseRequestCommand('revoke grt-x'), { kind: 'revoke', target: 'grt-x' });
  });

  const examples = { release: 'grt-', cancel: 'req-', revoke: 'grt-' } as const;
  for (const [kind, prefix] of Object.entries(examples)) {
    test(`"${kind}" without an ID is refused with an example of the right form`, () => {
      const parsed = parseRequestCommand(kind);
      assert.equal(parsed.kind, 'invalid');
      assert.ok(parsed.kind === 'invalid');
      assert.match(parsed.message, new RegExp(`takes one`));
      assert.match(parsed.message, new RegExp(`\`/request ${kind} ${prefix}[a-z0-9]+\``));
    });

    test(`"${kind}" with two IDs is refused with an example of the right form`, () => {
      const parsed = parseRequestCommand(`${kind} ${prefix}a ${prefix}b`);
      assert.equal(parsed.kind, 'invalid');
      assert.ok(parsed.kind === 'invalid');
      assert.match(parsed.message, new RegExp(`\`/request ${kind} ${prefix}[a-z0-9]+\``));
    });
  }
});

describe('/request <resource> [duration] [--emergency] <reason…>', () => {
  test('"prod-db 30m debugging INC-4211" asks for 30m with the whole reason', () => {
    assert.deepEqual(parseRequestCommand('prod-db 30m debugging INC-4211'), {
      kind: 'access',
      resource: 'prod-db',
      durationText: '30m',
      reason: 'debugging INC-4211',
      emergency: false,
    });
  });

  test('"--emergency" marks a break-glass request and is not part of the reason', () => {
    assert.deepEqual(parseRequestCommand('prod-db 30m --emergency fire'), {
      kind: 'access',
      resource: 'prod-db',
      durationText: '30m',
      reason: 'fire',
      emergency: true,
    });
  });

  test('"--emergency" with `at …` is refused: break-glass starts now', () => {
    assert.deepEqual(parseRequestCommand('prod-db 1h at 22:00 --emergency fire'), {
      kind: 'invalid',
      message: 'Break-glass access starts now; leave out `at …`, or ask without `--emergency` to schedule it.',
    });
  });

  test('"--emergency" without a duration still marks break-glass and leaves the duration to the default', () => {
    assert.deepEqual(parseRequestCommand('prod-db --emergency fire'), {
      kind: 'access',
      resource: 'prod-db',
      durationText: undefined,
      reason: 'fire',
      emergency: true,
    });
  });

  test('without a duration the second word starts the reason ("prod-db debugging")', () => {
    assert.deepEqual(parseRequestCommand('prod-db debugging'), {
      kind: 'access',
      resource: 'prod-db',
      durationText: undefined,
      reason: 'debugging',
      emergency: false,
    });
  });

  test('a mistyped duration ("3x0") is kept as the duration to be reported, not swallowed into the reason', () => {
    const parsed = parseRequestCommand('prod-db 3x0 reason');
    assert.equal(parsed.kind, 'access');
    assert.ok(parsed.kind === 'access');
    assert.equal(parsed.durationText, '3x0');
    assert.equal(parsed.reason, 'reason');
  });

  test('a negative duration ("-5m") is kept as the duration so it can be refused', () => {
    const parsed = parseRequestCommand('prod-db -5m reason');
    assert.ok(parsed.kind === 'access');
    assert.equal(parsed.durationText, '-5m');
    assert.equal(parsed.reason, 'reason');
  });

  for (const [typed, length] of [
    ['forever', 'forever'],
    ['permanent', 'permanent'],
    ['indefinitely', 'indefinitely'],
    ['1 hour', '1 hour'],
    ['P1D', 'P1D'],
  ]) {
    test(`"prod-db ${typed} reason" keeps "${length}" as the length to be refused, not as part of the reason`, () => {
      assert.deepEqual(parseRequestCommand(`prod-db ${typed} reason`), { kind: 'access', resource: 'prod-db', durationText: length, reason: 'reason', emergency: false });
    });
  }

  test('a length meant for an opt-out exception ("optout prod-db forever reason") is kept as its length too', () => {
    assert.deepEqual(parseRequestCommand('optout prod-db forever reason'), { kind: 'optout', resource: 'prod-db', durationText: 'forever', reason: 'reason' });
  });

  test('a length meant for break-glass ("prod-db forever --emergency fire") is kept as its length too', () => {
    const parsed = parseRequestCommand('prod-db forever --emergency fire');
    assert.ok(parsed.kind === 'access');
    assert.equal(parsed.durationText, 'forever');
    assert.equal(parsed.reason, 'fire');
  });

  test('a resource name alone gives no duration and an empty reason', () => {
    assert.deepEqual(parseRequestCommand('prod-db'), {
      kind: 'access',
      resource: 'prod-db',
      durationText: undefined,
      reason: '',
      emergency: false,
    });
  });

  test('resource names are lowercased ("PROD-DB")', () => {
    const parsed = parseRequestCommand('PROD-DB 30m Debugging INC-1');
    assert.ok(parsed.kind === 'access');
    assert.equal(parsed.resource, 'prod-db');
    assert.equal(parsed.reason, 'Debugging INC-1', 'the reason keeps its case');
  });

  test('extra spaces between words do not end up in the reason', () => {
    const parsed = parseRequestCommand('  prod-db   30m   fix    INC-1  ');
    assert.ok(parsed.kind === 'access');
    assert.equal(parsed.durationText, '30m');
    assert.equal(parsed.reason, 'fix INC-1');
  });

  test('text starting with a flag is refused and shows an example', () => {
    const parsed = parseRequestCommand('--emergency prod-db 30m fire');
    assert.ok(parsed.kind === 'invalid');
    assert.match(parsed.message, /resource name/);
    assert.match(parsed.message, /`\/request prod-db 30m debugging INC-4211`/);
  });
});

describe('/request optout', () => {
  test('"optout prod-db 2d reason" asks for an opt-out exception', () => {
    assert.deepEqual(parseRequestCommand('optout prod-db 2d reason'), {
      kind: 'optout',
      resource: 'prod-db',
      durationText: '2d',
      reason: 'reason',
    });
  });

  test('"optout" lowercases the resource name too', () => {
    const parsed = parseRequestCommand('optout Prod-DB 2d on call');
    assert.ok(parsed.kind === 'optout');
    assert.equal(parsed.resource, 'prod-db');
    assert.equal(parsed.reason, 'on call');
  });

  test('"optout" without a resource is refused with an example', () => {
    const parsed = parseRequestCommand('optout');
    assert.ok(parsed.kind === 'invalid');
    assert.match(parsed.message, /`\/request optout prod-db 2d [^`]+`/);
  });
});
