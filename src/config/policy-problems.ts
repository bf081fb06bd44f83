import { z } from 'zod';
import { errorMessage } from '../error-message.js';

/**
 * Turning zod's findings about a policy file into sentences a person can act on: the key's
 * path, what was expected, the value written, and for an unknown key the one probably meant.
 */

const NOUNS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map of keys',
};

/** Zod's wording where the schema has none of its own ("expected string, received undefined" is not for people). */
export const policyErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${NOUNS[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'array') return `expected at least ${String(issue.minimum)} item(s)`;
      if (issue.origin === 'string') return 'expected some text';
      return `expected at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'array' ? `expected at most ${String(issue.maximum)} item(s)` : `expected at most ${String(issue.maximum)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => String(v)).join(' | ')}`;
    default:
      return undefined;
  }
};

type Path = readonly PropertyKey[];

function valueAt(raw: unknown, path: Path): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** A single value as it appears in a message: short, text in quotes; nothing for a list or map. */
function shown(value: unknown): string | undefined {
  if (value == null || typeof value === 'object') return undefined;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Optimal string alignment distance: a letter missing, extra, changed or two swapped each count 1. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = d[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The known key a misspelt one was probably meant as (a slip or two, case and `-` for `_` aside). */
export function meantKey(written: string, known: readonly string[]): string | undefined {
  const normal = (key: string) => key.toLowerCase().replace(/-/g, '_');
  const slips = written.length <= 4 ? 1 : 2;
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(normal(written), normal(key));
    if (distance <= slips && (!best || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

/** The keys allowed where a path leads in `schema`, following the value written to pick a union's member. */
function knownKeysAt(schema: z.ZodType, path: Path, raw: unknown): string[] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) return knownKeysAt(schema.unwrap() as z.ZodType, path, raw);
  if (schema instanceof z.ZodPipe) return knownKeysAt((schema.in instanceof z.ZodTransform ? schema.out : schema.in) as z.ZodType, path, raw);
  if (schema instanceof z.ZodUnion) {
    const options = (schema.options as readonly z.ZodType[]).filter((o): o is z.ZodObject => o instanceof z.ZodObject);
    const type = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)['type'] : undefined;
    // A provisioner's keys are those of its type; where nothing tells the members apart, any member's.
    const typed = options.find((o) => o.shape['type'] instanceof z.ZodLiteral && o.shape['type'].values.has(type as never));
    return [...new Set((typed ? [typed] : options).flatMap((o) => knownKeysAt(o, path, raw)))];
  }
  const [key, ...rest] = path;
  if (key === undefined) return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  const inner = valueAt(raw, [key]);
  if (schema instanceof z.ZodObject && typeof key === 'string') {
    const child = schema.shape[key] as z.ZodType | undefined;
    return child ? knownKeysAt(child, rest, inner) : [];
  }
  if (schema instanceof z.ZodRecord) return knownKeysAt(schema.valueType as z.ZodType, rest, inner);
  if (schema instanceof z.ZodArray) return knownKeysAt(schema.element as z.ZodType, rest, inner);
  return [];
}

// `channel:` with nothing after it is null in YAML: as missing as leaving the key out.
const isMissing = (issue: z.core.$ZodIssue, raw: unknown) => issue.code === 'invalid_type' && valueAt(raw, issue.path) == null;

const where = (path: Path) => path.map(String).join('.');

/** One line per problem, each starting with the key's path; a misspelt key first, with the key it was meant as. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], raw: unknown, schema: z.ZodType): string[] {
  const misspelt: string[] = [];
  // A key written under a wrong name is reported once, as misspelt, not again as missing.
  const explained = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const known = knownKeysAt(schema, issue.path, raw);
    for (const key of issue.keys) {
      const meant = meantKey(key, known);
      const at = where(issue.path);
      misspelt.push(`${at ? `${at}: ` : ''}Unrecognized key: "${key}"${meant ? ` (did you mean ${meant}?)` : ''}`);
      if (meant) explained.add(where([...issue.path, meant]));
    }
  }
  const others = issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return [];
    const at = where(issue.path);
    if (explained.has(at) && valueAt(raw, issue.path) === undefined) return [];
    const value = shown(valueAt(raw, issue.path));
    let message = issue.message;
    if (isMissing(issue, raw)) message = `${message}; it is missing`;
    else if (value !== undefined && !/\bgot\b/.test(message) && !message.includes(value)) message = `${message}, got ${value}`;
    return [at ? `${at}: ${message}` : message];
  });
  return [...misspelt, ...others];
}

/** A YAML syntax error in one line: what is wrong, where, and the line itself (not a dangling "at line 5, column 1:"). */
export function describeYamlError(error: unknown, text: string): string {
  const linePos = (error as { linePos?: readonly { line: number; col: number }[] } | null)?.linePos;
  const message = errorMessage(error);
  const first = linePos?.[0];
  const what = (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  if (!first) return what;
  const lines = text.split(/\r?\n/);
  const line = lines[first.line - 1] ?? '';
  if (line.trim()) return `${what} (line ${first.line}, column ${first.col}): ${line}`;
  // Pointing past the text (an unclosed bracket at the end): the last line written is the one to fix.
  const last = lines.slice(0, first.line - 1).findLastIndex((l) => l.trim() !== '');
  return last < 0 ? `${what} (line ${first.line}, column ${first.col})` : `${what} (after line ${last + 1}): ${lines[last] ?? ''}`;
}
