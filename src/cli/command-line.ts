import { parseArgs } from 'node:util';
import type { z } from 'zod';

/** The flags one CLI command takes: each a string (`--since 2026-11-01`) or a switch (`--probe`). */
export type FlagSpec = Record<string, 'string' | 'boolean'>;

export type ParsedCommandLine<F extends FlagSpec> = {
  flags: { [K in keyof F]?: F[K] extends 'string' ? string : boolean };
  positionals: string[];
};

/** Why a command line was refused, in words a person can act on; the command's usage follows. */
export class CommandLineError extends Error {
  override readonly name = 'CommandLineError';
}

/** What the command needs from where it runs (a variable), said without the usage. */
export class CommandSetupError extends Error {
  override readonly name = 'CommandSetupError';
}

/**
 * Parses one command's arguments strictly: an unknown flag, a value missing or given to a switch,
 * and too many or too few positionals are refused by name. A value that starts with a dash
 * (`--days -3`) is taken as the flag's value, so the command can say what is wrong with it.
 */
export function parseCommandLine<F extends FlagSpec>(args: readonly string[], spec: F, positionals: { min: number; max: number }): ParsedCommandLine<F> {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const next = args[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && spec[name] === 'string' && next !== undefined && next.startsWith('-')) {
      joined.push(`${arg}=${next}`);
      i += 1;
    } else {
      joined.push(arg);
    }
  }
  const options = Object.fromEntries(Object.entries(spec).map(([name, type]) => [name, { type }]));
  const { tokens } = parseArgs({ args: joined, options, strict: false, allowPositionals: true, tokens: true });
  const flags: Record<string, string | boolean> = {};
  const found: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') found.push(token.value);
    if (token.kind !== 'option') continue;
    const kind = spec[token.name];
    if (kind === undefined) throw new CommandLineError(`unknown option ${token.rawName}`);
    if (kind === 'boolean' && token.value !== undefined) throw new CommandLineError(`${token.rawName} takes no value`);
    if (kind === 'string' && token.value === undefined) throw new CommandLineError(`${token.rawName} needs a value`);
    flags[token.name] = token.value ?? true;
  }
  if (found.length < positionals.min) throw new CommandLineError(positionals.min === 1 ? 'expected one argument' : `expected ${positionals.min} arguments`);
  if (found.length > positionals.max) throw new CommandLineError(`unexpected argument ${JSON.stringify(found[positionals.max])}`);
  return { flags: flags as ParsedCommandLine<F>['flags'], positionals: found };
}

/** A CLI flag's validation failure as its messages, which already name the flag. */
export const wordsOf = (error: z.ZodError): string => error.issues.map((issue) => issue.message).join('; ');
