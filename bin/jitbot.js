#!/usr/bin/env node
// `npx jitbot …`: in a checkout the CLI runs from source through tsx (a dev dependency), so it
// works right after `npm ci`; an install without tsx (production, `npm ci --omit=dev`) runs the build.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);

async function tsx() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return undefined;
  }
}

const loader = existsSync(source) ? await tsx() : undefined;
if (loader) {
  loader.register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli.js', import.meta.url).href);
}
