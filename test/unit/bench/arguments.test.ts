import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BenchArgumentsError, parseBenchArguments } from '../../../bench/support/arguments.js';

test('no arguments: every benchmark, on SQLite, one process', () => {
  assert.deepEqual(parseBenchArguments([]), { store: 'sqlite', replicas: 1 });
});

test('one benchmark on PostgreSQL with three replicas, flags before or after, with = or a space', () => {
  assert.deepEqual(parseBenchArguments(['lateness', '--store', 'postgres', '--replicas', '3']), { only: 'lateness', store: 'postgres', replicas: 3 });
  assert.deepEqual(parseBenchArguments(['--store=postgres', '--grants', '2000', '--per-kind=0', 'revoke-all']), { only: 'revoke-all', store: 'postgres', replicas: 1, grants: 2000, perKind: 0 });
});

test('what cannot run is refused with a message that names the flag', () => {
  const refused = (argv: string[], message: RegExp) => assert.throws(() => parseBenchArguments(argv), (error: unknown) => error instanceof BenchArgumentsError && message.test(error.message));
  refused(['lateness', '--replicas', '3'], /--replicas 3 needs --store postgres/);
  refused(['lateness', '--store', 'mysql'], /--store: expected sqlite or postgres/);
  refused(['lateness', '--replicas', '0', '--store', 'postgres'], /--replicas: expected at least 1/);
  refused(['lateness', '--grants', 'many'], /--grants: expected a whole number/);
  refused(['lateness', '--grants', '1.5'], /--grants: expected a whole number/);
  refused(['latenes'], /benchmark: expected one of ack, lateness/);
  refused(['ack', 'lateness'], /one benchmark at a time/);
  refused(['ack', '--fast'], /unknown option --fast/);
  refused(['ack', '--store'], /--store: expected a value/);
});
