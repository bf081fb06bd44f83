import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import pino from 'pino';
import { loggerOptions } from '../../src/logging.js';
import { parseEnv } from '../../src/config/env.js';
import { parsePolicy } from '../../src/config/load-policy.js';
import { createJitbot, type Jitbot } from '../../src/jitbot.js';
import { startFakeSlack } from './fake-slack.js';
import { startFakeSocketMode } from './fake-socket-mode.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from './redis-prefix.js';
import { blockActionBody, homeActionBody, signedPost, slashCommandBody, uniqueDeliveryId, viewSubmissionBody } from './slack-requests.js';
import { startWebhookReceiver } from './webhook-receiver.js';
import { TEST_AUDIT_KEY } from './audit-key.js';
import { createTestDatabase } from './postgres-database.js';

export const SIGNING_SECRET = 'test-signing-secret';
export const WEBHOOK_SECRET = 'whsec_dGVzdC13ZWJob29rLXNlY3JldC0xMjM0NTY=';

export const USERS = {
  alice: 'U0ALICE', // engineer, requester
  bob: 'U0BOB', // engineer, not an approver
  lead: 'U0LEAD1', // db-leads approver
  lead2: 'U0LEAD2',
  sec: 'U0SEC1', // member of the security user group
  outsider: 'U0OUTSIDE',
} as const;

/** The policy the end-to-end tests run, with a webhook receiver for prod-db. */
export function testPolicy(webhookUrl: string, extra = '', settings: Record<string, string> = {}): string {
  const merged = { timezone: 'UTC', security_channel: 'C0SECURITY', reconcile_interval: '1s', ...settings };
  return `
settings:
${Object.entries(merged)
  .map(([key, value]) => `  ${key}: ${value}`)
  .join('\n')}
approver_groups:
  db-leads: { users: [${USERS.lead}, ${USERS.lead2}] }
  security: { usergroup: S0SECURITY }
  engineers: { users: [${USERS.alice}, ${USERS.bob}, ${USERS.lead}] }
resources:
  prod-db:
    description: Production PostgreSQL
    channel: C0DBAPPROVALS
    approvers: [db-leads]
    requesters: [engineers]
    max_duration: 2h
    reason_pattern: "INC-[0-9]+"
    provisioner:
      type: webhook
      url: ${webhookUrl}
      secret_env: PROD_DB_WEBHOOK_SECRET
      timeout: 2s
  staging:
    channel: C0STAGING
    approvers: [security]
    max_duration: 1h
    default_duration: 30m
${extra}`;
}

/** payments: break-glass for db-leads, at most 1 h (prod-db, in the base policy, allows none). */
export const PAYMENTS_WITH_BREAK_GLASS = `
  payments:
    channel: C0PAY
    approvers: [db-leads]
    requesters: [engineers]
    max_duration: 2h
    reason_pattern: "INC-[0-9]+"
    break_glass: { allowed: true, eligible: [db-leads], max_duration: 1h }
`;

/** Real time plus an offset tests can move forward (BullMQ delays stay consistent with it). */
export function movableClock() {
  let offsetMs = 0;
  return {
    now: () => DateTime.utc().plus({ milliseconds: offsetMs }),
    advance(ms: number) {
      offsetMs += ms;
    },
  };
}

/** A grant row as the tests read it from the bot's database (times in ms). */
export interface GrantState {
  id: string;
  status: string;
  revoke_reason: string | null;
  granted_at: number;
  expires_at: number;
  revoked_at: number | null;
  provisioned_at: number | null;
}

export interface HarnessOptions {
  /** More resources (YAML indented under `resources:`); a function receives the webhook URL. */
  policyExtra?: string | ((webhookUrl: string) => string);
  /** `settings:` keys to add or override (timezone UTC, security_channel C0SECURITY, reconcile_interval 1s). */
  settings?: Record<string, string>;
  /** BullMQ worker concurrency (default 50). */
  workerConcurrency?: number;
  /** pino level for the bot's own logs (default TEST_LOG_LEVEL, else silent). */
  logLevel?: string;
  /** ADMIN_API_TOKEN: the admin API is off without it. */
  adminToken?: string;
  /** JITBOT_ROLE of the bot Slack's requests go to (default all). */
  role?: 'all' | 'web' | 'worker';
  /** Socket Mode: set SLACK_APP_TOKEN instead of receiving HTTP. */
  socketMode?: boolean;
  /** A Redis of the test's own (default: the shared one, under a unique key prefix). */
  redisUrl?: string;
  /** Seconds of backoff etc. kept short so failure paths run in seconds. */
  retry?: { attempts: number; backoffMs: number };
  /** More environment variables for provisioners (connection strings, tokens). */
  secrets?: Record<string, string>;
  /** More of the bot's own environment (METRICS_PORT, METRICS_TOKEN, HOST…). */
  env?: Record<string, string>;
  /** Keep the bot's log lines (level info and above, parsed) in `logs`. */
  captureLogs?: boolean;
  /** Run on a fresh PostgreSQL database (DATABASE_URL) instead of a SQLite file; `sqlite` is then unavailable. */
  postgres?: boolean;
}

export async function startHarness(options: HarnessOptions = {}) {
  const slack = await startFakeSlack();
  const socket = options.socketMode ? await startFakeSocketMode() : undefined;
  if (socket) slack.setSocketModeUrl(socket.url);
  for (const id of Object.values(USERS)) slack.addUser({ id, tz: id === USERS.alice ? 'Europe/Paris' : 'America/New_York' });
  slack.setUsergroup('S0SECURITY', [USERS.sec]);
  const webhook = await startWebhookReceiver(WEBHOOK_SECRET);
  const dir = mkdtempSync(join(tmpdir(), 'jitbot-e2e-'));
  const prefix = uniquePrefix();
  const postgres = options.postgres ? await createTestDatabase() : undefined;
  const sqlitePath = join(dir, 'jitbot.sqlite');
  const database: Record<string, string> = postgres ? { DATABASE_URL: postgres.url } : { DATABASE_PATH: sqlitePath };
  let settings = options.settings;
  const policyFor = (policyExtra: HarnessOptions['policyExtra']) =>
    testPolicy(webhook.url, typeof policyExtra === 'function' ? policyExtra(webhook.url) : policyExtra, settings);
  let policyText = policyFor(options.policyExtra);

  const clock = movableClock();
  const logs: Record<string, unknown>[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = () =>
    options.captureLogs ? pino(loggerOptions(options.logLevel ?? 'info'), capture) : pino(loggerOptions(options.logLevel ?? process.env['TEST_LOG_LEVEL'] ?? 'silent'));
  const makeBot = async (role = options.role ?? 'all'): Promise<Jitbot> =>
    await createJitbot({
            env: parseEnv({
              SLACK_BOT_TOKEN: 'xoxb-test-token',
              SLACK_SIGNING_SECRET: SIGNING_SECRET,
              AUDIT_HMAC_KEY: TEST_AUDIT_KEY,
              ...(options.socketMode ? { SLACK_APP_TOKEN: 'xapp-test-token' } : {}),
              SLACK_API_URL: slack.apiUrl,
              PORT: '0',
              ...database,
              // REDIS_SENTINELS (in env) replaces REDIS_URL: both set is a start-up error.
              ...(options.env?.['REDIS_SENTINELS'] ? {} : { REDIS_URL: options.redisUrl ?? TEST_REDIS_URL }),
              REDIS_PREFIX: prefix,
              JITBOT_ROLE: role,
              ...(options.adminToken ? { ADMIN_API_TOKEN: options.adminToken } : {}),
              ...options.env,
            }),
            policy: parsePolicy(policyText, 'test-policy.yaml'),
            policyDir: dir,
            secrets: { PROD_DB_WEBHOOK_SECRET: WEBHOOK_SECRET, PATH: process.env['PATH'], ...options.secrets },
            logger: logger(),
            retry: options.retry ?? { attempts: 3, backoffMs: 100 },
            clock,
            slackApiRetries: 2,
            ...(options.workerConcurrency === undefined ? {} : { workerConcurrency: options.workerConcurrency }),
          });

  /** Where a started bot answers: Slack's events, and /metrics (on METRICS_PORT when it has one). */
  const urlsOf = ({ port, metricsPort }: { port: number; metricsPort: number | undefined }) => ({
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    metricsUrl: `http://127.0.0.1:${metricsPort ?? port}/metrics`,
  });
  let bot = await makeBot();
  const others: Jitbot[] = [];
  let { eventsUrl, metricsUrl } = urlsOf(await bot.start());

  /** The tests' own connection to the bot's SQLite file (WAL: it sees what the bot committed). */
  let raw: Database.Database | undefined;
  const sqlite = (): Database.Database => {
    if (postgres) throw new Error('this harness runs on PostgreSQL: read with h.read or h.bot.store');
    raw ??= new Database(sqlitePath, { timeout: 5_000 });
    return raw;
  };

  /** The tests' own reads of the bot's PostgreSQL database: int8 (the times, count(*)) as numbers, like SQLite's. */
  let pgReader: pg.Pool | undefined;
  const int8AsNumber = (oid: number, format?: string) => (oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format as 'text'));
  /** Rows of `sql` (with `?` placeholders, as SQLite takes them) on whichever database the bot runs. */
  const rows = async <T>(query: string, ...params: unknown[]): Promise<T[]> => {
    if (!postgres) return sqlite().prepare(query).all(...params) as T[];
    pgReader ??= new pg.Pool({ connectionString: postgres.url, max: 2, types: { getTypeParser: int8AsNumber as typeof pg.types.getTypeParser } });
    let n = 0;
    const result = await pgReader.query(query.replace(/\?/g, () => `$${(n += 1)}`), params);
    return result.rows as T[];
  };
  const row = async <T>(query: string, ...params: unknown[]): Promise<T | undefined> => (await rows<T>(query, ...params))[0];

  let responseCount = 0;
  const harness = {
    socket,
    clock,
    logs,
    slack,
    webhook,
    dir,
    prefix,
    /** The bot's database as the CLI takes it: DATABASE_URL (PostgreSQL) or DATABASE_PATH (SQLite). */
    databaseEnv: database,
    get bot() {
      return bot;
    },
    get eventsUrl() {
      return eventsUrl;
    },
    get metricsUrl() {
      return metricsUrl;
    },

    get sqlite() {
      return sqlite();
    },
    /** How many rows a table of the bot's SQLite database holds (sync; h.read works on both backends). */
    count: (table: string) => sqlite().prepare(`select count(*) from ${table}`).pluck().get() as number,
    grantFor: (requestId: string) => sqlite().prepare('select * from grants where request_id = ?').get(requestId) as GrantState | undefined,
    grantById: (grantId: string) => sqlite().prepare('select * from grants where id = ?').get(grantId) as GrantState | undefined,
    /** The same reads, and any query (`?` placeholders), on SQLite or PostgreSQL alike. */
    read: {
      rows,
      row,
      count: async (table: string) => (await row<{ n: number }>(`select count(*) as n from ${table}`))?.n ?? 0,
      grantFor: (requestId: string) => row<GrantState>('select * from grants where request_id = ?', requestId),
      grantById: (grantId: string) => row<GrantState>('select * from grants where id = ?', grantId),
    },

    /** Sends `/request <text>` as Slack would; returns the HTTP ack and the response_url name. */
    async command(userId: string, text: string) {
      const name = `cmd-${(responseCount += 1)}`;
      const body = slashCommandBody({ text, userId, responseUrl: slack.responseUrl(name), triggerId: `trig-${responseCount}` });
      const res = await signedPost(eventsUrl, SIGNING_SECRET, body, 'application/x-www-form-urlencoded');
      const ackText = await res.text();
      return { status: res.status, ack: ackText, responseName: name };
    },

    /** `/request …` and the ephemeral reply text, whether it came in the ack or via response_url. */
    async ask(userId: string, text: string): Promise<string> {
      const { status, ack, responseName } = await harness.command(userId, text);
      if (status !== 200) throw new Error(`/request ${text} answered HTTP ${status}: ${ack}`);
      if (ack.trim() !== '') {
        const parsed = JSON.parse(ack) as { text?: string };
        return parsed.text ?? '';
      }
      const response = await slack.waitForResponse(responseName);
      return String(response.body['text'] ?? '');
    },

    /** A button click; `retryNum` marks it as Slack's redelivery of an earlier one; `blockId` the block it sits in. */
    async click(userId: string, actionId: string, value: string, opts: { retryNum?: number; blockId?: string } = {}) {
      const name = `click-${(responseCount += 1)}`;
      const body = blockActionBody({ actionId, value, userId, responseUrl: slack.responseUrl(name), channelId: 'C0DBAPPROVALS', triggerId: `trig-${name}`, ...(opts.blockId ? { blockId: opts.blockId } : {}) });
      const res = await signedPost(eventsUrl, SIGNING_SECRET, body, 'application/x-www-form-urlencoded', opts);
      return { status: res.status, responseName: name };
    },

    /**
     * The holder clicks Extend, picks `byMs` in the form it opens (or a forged value, or the
     * first offered), and submits: the choices offered and the form's answer.
     */
    async extendBy(userId: string, grantId: string, byMs: number | 'first') {
      const opened = slack.callsTo('views.open').length;
      await harness.click(userId, 'extend', grantId);
      const open = await eventually('the Extend form', () => slack.callsTo('views.open')[opened]);
      const view = open.args['view'] as { callback_id: string; private_metadata: string; blocks: { block_id?: string; text?: { text: string }; element?: { options: { value: string }[] } }[] };
      const options = view.blocks.find((b) => b.block_id === 'by')?.element?.options.map((o) => Number(o.value)) ?? [];
      const value = String(byMs === 'first' ? options[0] : byMs);
      const body = viewSubmissionBody({ userId, callbackId: view.callback_id, privateMetadata: view.private_metadata, values: { by: { value: { type: 'static_select', selected_option: { value } } } } });
      const answer = (await (await signedPost(eventsUrl, SIGNING_SECRET, body, 'application/x-www-form-urlencoded')).json()) as { response_action: string; errors?: Record<string, string> };
      return { options, answer, text: view.blocks.map((b) => b.text?.text ?? '').join('\n') };
    },

    /** A click on a button in the user's App Home (no response_url: answers come as a redrawn home). */
    async clickInHome(userId: string, actionId: string, value: string) {
      const name = `home-${(responseCount += 1)}`;
      const body = homeActionBody({ actionId, value, userId, triggerId: `trig-${name}` });
      const res = await signedPost(eventsUrl, SIGNING_SECRET, body, 'application/x-www-form-urlencoded');
      return { status: res.status, triggerId: `trig-${name}` };
    },

    /** The user opens jitbot's App Home tab. */
    openHome: (userId: string) => harness.event({ type: 'app_home_opened', user: userId, channel: `D${userId}`, tab: 'home', event_ts: String(Date.now() / 1000) }),

    /** An Events API delivery (JSON), e.g. app_home_opened. */
    async event(event: Record<string, unknown>) {
      const body = JSON.stringify({ type: 'event_callback', team_id: 'T0TEAM', api_app_id: 'A0JITBOT', event, event_id: uniqueDeliveryId('Ev'), event_time: Math.floor(Date.now() / 1000) });
      return signedPost(eventsUrl, SIGNING_SECRET, body, 'application/json');
    },

    /**
     * Stops the bot (gracefully) and starts a new process-equivalent on the same files;
     * `whileDown` runs in between; `policyExtra` replaces the extra resources, `settings` the settings overrides.
     */
    async restart(opts: { whileDown?: () => Promise<void>; policyExtra?: HarnessOptions['policyExtra']; settings?: Record<string, string> } = {}) {
      await bot.stop();
      await opts.whileDown?.();
      if (opts.settings !== undefined) settings = opts.settings;
      if (opts.policyExtra !== undefined || opts.settings !== undefined) policyText = policyFor(opts.policyExtra ?? options.policyExtra);
      bot = await makeBot();
      ({ eventsUrl, metricsUrl } = urlsOf(await bot.start()));
    },

    /** Another process-equivalent on the same database and Redis prefix, e.g. the worker of a split deployment. */
    async startAnother(role: 'all' | 'web' | 'worker'): Promise<{ bot: Jitbot; eventsUrl: string; metricsUrl: string }> {
      const another = await makeBot(role);
      const started = await another.start();
      others.push(another);
      return { bot: another, ...urlsOf(started) };
    },

    async close() {
      for (const other of others) await other.stop().catch(() => undefined);
      await bot.stop().catch(() => undefined);
      raw?.close();
      await pgReader?.end();
      await postgres?.drop();
      await dropPrefix(prefix, options.redisUrl ?? TEST_REDIS_URL);
      await Promise.all([slack.close(), webhook.close(), socket?.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** Polls until `check` returns a value (not undefined), or fails with `what`. */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export function exceptionIdIn(text: string): string {
  const match = /exc-[0-9a-z]+/.exec(text);
  if (!match) throw new Error(`no exception ID in: ${text}`);
  return match[0];
}

export function requestIdIn(text: string): string {
  const match = /req-[0-9a-z]+/.exec(text);
  if (!match) throw new Error(`no request ID in: ${text}`);
  return match[0];
}
