import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { z } from 'zod';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** The bot scope each Web API method needs (api.slack.com/methods); methods needing none map to []. */
const SCOPES_OF: Record<string, string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'users.info': ['users:read', 'users:read.email'],
  'usergroups.users.list': ['usergroups:read'],
  'usergroups.list': ['usergroups:read'],
  'usergroups.users.update': ['usergroups:write'],
  'usergroups.enable': ['usergroups:write'],
  'usergroups.disable': ['usergroups:write'],
  'views.open': [],
  'views.publish': [],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const manifestSchema = z.object({
  features: z.object({
    app_home: z.object({ home_tab_enabled: z.literal(true) }),
    slash_commands: z.array(z.object({ command: z.string(), url: z.string() })),
  }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({
    event_subscriptions: z.object({ request_url: z.string(), bot_events: z.array(z.string()) }),
    interactivity: z.object({ is_enabled: z.literal(true), request_url: z.string() }),
  }),
});

test('manifest.yml asks for every bot scope the code uses, and no more', () => {
  const manifest = manifestSchema.parse(parse(readFileSync(join(ROOT, 'manifest.yml'), 'utf8')));
  const called = new Set(
    sourceFiles(join(ROOT, 'src')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/client\.((?:[a-zA-Z]+\.)+[a-zA-Z]+)\(/g)].map((m) => m[1] ?? ''),
    ),
  );
  for (const method of called) assert.ok(method in SCOPES_OF, `add ${method} and its scope to this test and to manifest.yml`);
  const needed = new Set(['commands', ...[...called].flatMap((m) => SCOPES_OF[m] ?? [])]);
  assert.deepEqual([...manifest.oauth_config.scopes.bot].sort(), [...needed].sort());
});

test('manifest.yml has the one slash command, interactivity and app_home_opened on /slack/events', () => {
  const manifest = manifestSchema.parse(parse(readFileSync(join(ROOT, 'manifest.yml'), 'utf8')));
  assert.deepEqual(manifest.features.slash_commands.map((c) => c.command), ['/request']);
  assert.deepEqual(manifest.settings.event_subscriptions.bot_events, ['app_home_opened']);
  for (const url of [manifest.features.slash_commands[0]?.url, manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url]) {
    assert.match(url ?? '', /^https:\/\/[^/]+\/slack\/events$/);
  }
});

const socketManifestSchema = z.object({
  features: z.object({ slash_commands: z.array(z.object({ command: z.string(), url: z.never().optional() })) }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({
    event_subscriptions: z.object({ request_url: z.never().optional(), bot_events: z.array(z.string()) }),
    interactivity: z.object({ is_enabled: z.literal(true), request_url: z.never().optional() }),
    socket_mode_enabled: z.literal(true),
  }),
});

test('manifest.socket-mode.yml is the same app, with Socket Mode on and no request URLs', () => {
  const http = manifestSchema.parse(parse(readFileSync(join(ROOT, 'manifest.yml'), 'utf8')));
  const socket = socketManifestSchema.parse(parse(readFileSync(join(ROOT, 'manifest.socket-mode.yml'), 'utf8')));
  assert.deepEqual(socket.oauth_config.scopes.bot, http.oauth_config.scopes.bot);
  assert.deepEqual(socket.features.slash_commands.map((c) => c.command), ['/request']);
  assert.deepEqual(socket.settings.event_subscriptions.bot_events, http.settings.event_subscriptions.bot_events);
});

test('the usage hint of /request shows every form, and points at help for the rest', () => {
  for (const file of ['manifest.yml', 'manifest.socket-mode.yml']) {
    const manifest = z
      .object({ features: z.object({ slash_commands: z.array(z.object({ usage_hint: z.string() })) }) })
      .parse(parse(readFileSync(join(ROOT, file), 'utf8')));
    const hint = manifest.features.slash_commands[0]?.usage_hint ?? '';
    for (const form of ['<resource> <duration>', '--emergency', 'at <time>', 'optout', 'list', 'release', 'cancel', 'revoke <id>', 'revoke-all', 'review', 'help']) {
      assert.ok(hint.includes(form), `${file}: the usage hint should name ${form}`);
    }
  }
});

test('manifest.yml says usergroups:write is only for the slack_usergroup provisioner', () => {
  assert.match(readFileSync(join(ROOT, 'manifest.yml'), 'utf8'), /- usergroups:write +# only for the slack_usergroup provisioner/);
});
