import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { z } from 'zod';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const README = join(ROOT, 'README.md');
const DOCS = join(ROOT, 'docs');

const read = (path: string) => readFileSync(path, 'utf8');
/** The project's files as git sees them: tracked or new, never ignored ones (node_modules, dist, data). */
const projectFiles = () =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((path) => path !== '' && existsSync(join(ROOT, path)));
const markdownDocs = () => [README, ...readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => join(DOCS, f))];

/** Markdown with fenced code blocks and inline code spans blanked, so neither counts as headings or links. */
const prose = (markdown: string) =>
  markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
    .replace(/`[^`\n]*`/g, (span) => (span.includes('](') ? '' : span));

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as '-', repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading = ''] of prose(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Targets of `[text](target)` links that stay inside the project (no scheme, not an e-mail). */
const relativeLinks = (markdown: string) =>
  [...prose(markdown).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map(([, target = '']) => target)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));

describe('the documentation', () => {
  test('the README is at most 250 lines', () => {
    const lines = read(README).split('\n').length;
    assert.ok(lines <= 250, `README.md has ${lines} lines; move reference material into docs/`);
  });

  test('every relative link in README.md and docs/*.md points at a file, and every #anchor at a heading, that exists', () => {
    const broken: string[] = [];
    for (const file of markdownDocs()) {
      for (const target of relativeLinks(read(file))) {
        const [path = '', anchor] = target.split('#');
        const linked = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
        const where = `${relative(ROOT, file)} → ${target}`;
        if (!existsSync(linked)) broken.push(`${where}: no such file`);
        else if (anchor !== undefined && !anchorsOf(read(linked)).has(decodeURIComponent(anchor))) broken.push(`${where}: no such heading`);
      }
    }
    assert.deepEqual(broken, []);
  });

  test('no file of the project refers to a design document it does not ship', () => {
    const outside = ['DESIGN', 'md'].join('.');
    const mentioning = projectFiles().filter((path) => read(join(ROOT, path)).includes(outside));
    assert.deepEqual(mentioning, []);
  });

  test("the README's dependencies table lists every runtime dependency of package.json", () => {
    const { dependencies } = z.object({ dependencies: z.record(z.string(), z.string()) }).parse(JSON.parse(read(join(ROOT, 'package.json'))));
    const section = /^## Dependencies\b[^\n]*\n([\s\S]*?)(?=^## |$(?![\s\S]))/m.exec(read(README))?.[1] ?? '';
    const rows = section.split('\n').filter((line) => line.startsWith('|'));
    const missing = Object.keys(dependencies).filter((name) => !rows.some((row) => row.includes(`\`${name}\``)));
    assert.ok(rows.length > 0, 'README.md has no "## Dependencies" section with a table');
    assert.deepEqual(missing, []);
  });
});
