import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A stand-in for Slack's Web API, reached through SLACK_API_URL. It answers in Slack's shapes,
 * records every call, and can be told to fail the way Slack fails (`ok:false`, HTTP 429 with
 * Retry-After, 5xx). It also receives `response_url` posts, which Bolt's `respond()` sends.
 */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

export interface FakeUser {
  id: string;
  tz?: string;
  email?: string;
  deleted?: boolean;
  isBot?: boolean;
}

export type Failure = { error: string } | { status: 429; retryAfter: number } | { status: number };

type Answer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

const ok = (body: Record<string, unknown> = {}): Answer => ({ status: 200, body: { ok: true, ...body } });
const slackError = (error: string): Answer => ({ status: 200, body: { ok: false, error } });

/** Form fields the Web API client JSON-encodes (arrays and objects). */
function decodeField(value: string): unknown {
  if (/^[[{]/.test(value)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries([...new URLSearchParams(raw)].map(([k, v]) => [k, decodeField(v)]));
}

async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs: number, seen: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`fake Slack: no ${what} within ${timeoutMs} ms. Seen: ${seen()}`);
    await sleep(15);
  }
}

/**
 * Like Slack, `invalid_blocks` for a message over 50 blocks or a section text over 3,000
 * characters (modals and Home tabs may have 100 blocks; see views.publish).
 */
function messageBlocksProblem(blocks: unknown): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks) || blocks.length > 50) return 'invalid_blocks';
  const tooLong = (blocks as { type?: string; text?: { text?: string } }[]).some((b) => b.type === 'section' && (b.text?.text?.length ?? 0) > 3_000);
  return tooLong ? 'invalid_blocks' : undefined;
}

/** `port`: a fixed one, e.g. one the bot was already told to use while nothing listened there. */
export async function startFakeSlack(options: { token?: string; appToken?: string; port?: number } = {}) {
  const token = options.token ?? 'xoxb-test-token';
  const appToken = options.appToken ?? 'xapp-test-token';
  let socketModeUrl: string | undefined;
  const calls: SlackCall[] = [];
  const responses: { name: string; body: Record<string, unknown>; at: number }[] = [];
  const failures = new Map<string, { failure: Failure; when: (args: Record<string, unknown>) => boolean }[]>();
  const users = new Map<string, Required<FakeUser>>();
  const usergroups = new Map<string, string[]>();
  const disabledGroups = new Set<string>();
  const posted = new Set<string>();
  let tsCounter = 100;
  const sockets = new Set<Socket>();
  // While held, requests are recorded on arrival and answered only on release.
  let held: Promise<void> | undefined;

  const profile = (u: Required<FakeUser>) => ({
    id: u.id,
    name: u.id.toLowerCase(),
    deleted: u.deleted,
    is_bot: u.isBot,
    tz: u.tz,
    tz_offset: 0,
    profile: { email: u.email, real_name: u.id },
  });

  const methods: Record<string, (args: Record<string, unknown>) => Answer> = {
    'auth.test': () => ok({ url: 'https://example.slack.com/', team: 'Example', user: 'jitbot', team_id: 'T0TEAM', user_id: 'U0BOT', bot_id: 'B0BOT' }),
    'chat.postMessage': (args) => {
      const channel = args['channel'];
      if (typeof channel !== 'string' || channel === '') return slackError('channel_not_found');
      if (!args['text'] && !args['blocks']) return slackError('no_text');
      const blocksProblem = messageBlocksProblem(args['blocks']);
      if (blocksProblem) return slackError(blocksProblem);
      tsCounter += 1;
      const ts = `1700000000.${String(tsCounter).padStart(6, '0')}`;
      posted.add(`${channel}/${ts}`);
      return ok({ channel, ts, message: { type: 'message', text: args['text'], blocks: args['blocks'], ts } });
    },
    'chat.update': (args) => {
      const key = `${String(args['channel'])}/${String(args['ts'])}`;
      if (!posted.has(key)) return slackError('message_not_found');
      const blocksProblem = messageBlocksProblem(args['blocks']);
      if (blocksProblem) return slackError(blocksProblem);
      return ok({ channel: args['channel'], ts: args['ts'], text: args['text'] });
    },
    'chat.postEphemeral': () => ok({ message_ts: `1700000001.${String((tsCounter += 1)).padStart(6, '0')}` }),
    'users.info': (args) => {
      const user = users.get(String(args['user']));
      return user ? ok({ user: profile(user) }) : slackError('user_not_found');
    },
    'usergroups.users.list': (args) => {
      const id = String(args['usergroup']);
      const members = usergroups.get(id);
      if (!members) return slackError('no_such_subteam');
      const includeDisabled = args['include_disabled'] === true || args['include_disabled'] === 'true';
      return ok({ users: disabledGroups.has(id) && !includeDisabled ? [] : members });
    },
    'usergroups.list': () =>
      ok({ usergroups: [...usergroups.keys()].map((id) => ({ id, is_usergroup: true, date_delete: disabledGroups.has(id) ? 1_700_000_000 : 0 })) }),
    // Like Slack: a group cannot be emptied through users.update (disable it instead).
    'usergroups.users.update': (args) => {
      const id = String(args['usergroup']);
      if (!usergroups.has(id)) return slackError('no_such_subteam');
      const users = String(args['users'] ?? '').split(',').filter((u) => u !== '');
      if (users.length === 0) return slackError('invalid_users');
      usergroups.set(id, users);
      return ok({ usergroup: { id, users } });
    },
    'usergroups.disable': (args) => {
      const id = String(args['usergroup']);
      if (!usergroups.has(id)) return slackError('no_such_subteam');
      disabledGroups.add(id);
      return ok({ usergroup: { id, date_delete: 1_700_000_000 } });
    },
    'usergroups.enable': (args) => {
      const id = String(args['usergroup']);
      if (!usergroups.has(id)) return slackError('no_such_subteam');
      disabledGroups.delete(id);
      return ok({ usergroup: { id, date_delete: 0 } });
    },
    'views.open': (args) => (args['trigger_id'] ? ok({ view: { id: 'V0MODAL', ...(args['view'] as object) } }) : slackError('invalid_trigger_id')),
    'views.publish': (args) => {
      const view = args['view'] as { type?: string; blocks?: unknown[] } | undefined;
      // Slack refuses a home view over 100 blocks, or anything else than a home view.
      if (view?.type !== 'home' || !Array.isArray(view.blocks) || view.blocks.length > 100) return slackError('invalid_arguments');
      return ok({ view: { id: 'V0HOME', ...view, user_id: args['user_id'] } });
    },
    'views.update': (args) => ok({ view: { id: 'V0MODAL', ...(args['view'] as object) } }),
    'conversations.open': (args) => ok({ channel: { id: `D${String(args['users'] ?? '')}` } }),
    'apps.connections.open': () => (socketModeUrl ? ok({ url: socketModeUrl }) : slackError('not_allowed_token_type')),
  };

  function answer(method: string, args: Record<string, unknown>, auth: string | undefined): Answer {
    const presented = auth?.replace(/^Bearer /, '') ?? (typeof args['token'] === 'string' ? args['token'] : undefined);
    if (!presented) return slackError('not_authed');
    // Socket Mode connections are opened with the app-level token, everything else with the bot token.
    if (presented !== (method === 'apps.connections.open' ? appToken : token)) return slackError('invalid_auth');
    const queued = failures.get(method) ?? [];
    const index = queued.findIndex((f) => f.when(args));
    const failure = index >= 0 ? queued.splice(index, 1)[0]?.failure : undefined;
    if (failure) {
      if ('error' in failure) return slackError(failure.error);
      if (failure.status === 429 && 'retryAfter' in failure) {
        return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(failure.retryAfter) } };
      }
      return { status: failure.status, body: { ok: false, error: 'fatal_error' } };
    }
    const handler = methods[method];
    return handler ? handler(args) : slackError('unknown_method');
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const raw = await readBody(req);
      const contentType = req.headers['content-type'] ?? '';
      const response = /^\/response\/(.+)$/.exec(path);
      if (response?.[1]) {
        responses.push({ name: response[1], body: parseArgs(raw, contentType.includes('json') ? contentType : 'application/json'), at: Date.now() });
        await held;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
        return;
      }
      const method = /^\/api\/(.+)$/.exec(path)?.[1];
      if (!method) {
        res.writeHead(404);
        res.end();
        return;
      }
      const args = parseArgs(raw, contentType);
      calls.push({ method, args, at: Date.now() });
      await held;
      const result = answer(method, args, req.headers.authorization);
      res.writeHead(result.status, { 'content-type': 'application/json; charset=utf-8', ...result.headers });
      res.end(JSON.stringify(result.body));
    })();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake Slack has no port');
  const baseUrl = `http://127.0.0.1:${address.port}`;

  const describeCalls = () => calls.map((c) => `${c.method}(${String(c.args['channel'] ?? '')})`).join(', ') || 'nothing';

  return {
    baseUrl,
    apiUrl: `${baseUrl}/api/`,
    calls,
    responses,
    callsTo: (method: string) => calls.filter((c) => c.method === method),
    waitForCall: (method: string, predicate: (call: SlackCall) => boolean = () => true, timeoutMs = 5_000) =>
      waitFor(`${method} call`, () => calls.find((c) => c.method === method && predicate(c)), timeoutMs, describeCalls),
    responseUrl: (name: string) => `${baseUrl}/response/${name}`,
    waitForResponse: (name: string, predicate: (body: Record<string, unknown>) => boolean = () => true, timeoutMs = 5_000) =>
      waitFor(`response_url post to ${name}`, () => responses.find((r) => r.name === name && predicate(r.body)), timeoutMs, () =>
        responses.map((r) => r.name).join(', ') || 'none',
      ),
    addUser(user: FakeUser) {
      users.set(user.id, {
        tz: 'America/New_York',
        email: `${user.id.toLowerCase()}@example.com`,
        deleted: false,
        isBot: false,
        ...user,
      });
    },
    /** Where `apps.connections.open` sends Socket Mode clients. */
    setSocketModeUrl(url: string) {
      socketModeUrl = url;
    },
    setUsergroup(id: string, members: string[]) {
      usergroups.set(id, members);
    },
    usergroup: (id: string) => ({ members: usergroups.get(id) ?? [], disabled: disabledGroups.has(id) }),
    /** The next `times` calls of `method` (only those `when` matches, e.g. one channel) fail. */
    failNext(method: string, failure: Failure, times = 1, when: (args: Record<string, unknown>) => boolean = () => true) {
      const queue = failures.get(method) ?? [];
      for (let i = 0; i < times; i += 1) queue.push({ failure, when });
      failures.set(method, queue);
    },
    /**
     * Slack stops answering: every Web API call and response_url post is still recorded, but
     * answered only when the returned function is called.
     */
    hold(): () => void {
      let release = () => {};
      held = new Promise<void>((resolve) => {
        release = () => {
          held = undefined;
          resolve();
        };
      });
      return release;
    },
    reset() {
      calls.length = 0;
      responses.length = 0;
      failures.clear();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;
