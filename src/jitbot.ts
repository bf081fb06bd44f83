import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClientEvent } from '@slack/web-api';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DatabaseLocation, Env } from './config/env.js';
import { policyDigest, type LoadedPolicy } from './config/load-policy.js';
import { escalationDelays, requestTimers } from './domain/approval-chain.js';
import { systemClock, type Clock } from './domain/clock.js';
import { checkHealth, type HealthCheck } from './http/health.js';
import { createAdminApi } from './http/admin-api.js';
import { createRefusalTally } from './http/refusal-tally.js';
import { createRequestRefusals } from './services/request-refusals.js';
import { createMetrics } from './http/metrics.js';
import { metricsEndpoint } from './http/metrics-endpoint.js';
import { createHttpServer, createMetricsServer } from './http/server.js';
import { createAccessQueue, DEFAULT_RETRY, type RetrySettings } from './jobs/access-queue.js';
import { createAccessWorker } from './jobs/access-worker.js';
import { startAuditForwarder } from './jobs/audit-forwarder.js';
import { ConfigError } from './config/errors.js';
import type { Policy } from './domain/policy.js';
import { notSetProblem } from './config/secret-variables.js';
import { createWebhookSender } from './webhooks/standard-webhook.js';
import { startReconcileLoop } from './jobs/reconcile-loop.js';
import { startDriftLoop } from './jobs/drift-loop.js';
import { keepLease, newReplicaId, type Lease } from './jobs/lease.js';
import { startReviewSchedule } from './jobs/review-schedule.js';
import { startCheckpointSchedule } from './jobs/checkpoint-schedule.js';
import { queuePrefix } from './jobs/queue-prefix.js';
import { describeRedis, redisConnection, redisSettings } from './jobs/redis-connection.js';
import { createProvisioners } from './provisioners/registry.js';
import { accountOf } from './provisioners/provisioner.js';
import type { AccountLookup } from './services/ports.js';
import { createAccessRequestService } from './services/access-requests.js';
import { createBreakGlassService } from './services/break-glass.js';
import { createDecisionService } from './services/decisions.js';
import { createDeliveryLog } from './services/deliveries.js';
import { createDriftDetector } from './services/drift.js';
import { createEscalation } from './services/escalation.js';
import { createExtensionService } from './services/extension.js';
import { createPolicyBook } from './services/policy-book.js';
import { describePolicyChange } from './domain/policy-diff.js';
import { loadPolicyFile } from './config/load-policy.js';
import { createEndAccessService } from './services/end-access.js';
import { createExceptionLifecycle } from './services/exception-lifecycle.js';
import { createGrantLifecycle } from './services/grant-lifecycle.js';
import { createMembership } from './services/membership.js';
import { createMessageLane } from './services/message-lane.js';
import { createOptOutService } from './services/opt-out.js';
import { createReconciler } from './services/reconcile.js';
import { createReviewService } from './services/review.js';
import { createRevokeAll } from './services/revoke-all.js';
import { createSlackDirectory } from './slack/directory.js';
import { createSlackNotifier } from './slack/notifier.js';
import { createHomeTab } from './slack/home-tab.js';
import { refreshingHomes } from './slack/home-refreshing-notifier.js';
import { createHomeService } from './services/home.js';
import { createSlackApp, type BotIdentity } from './slack/slack-app.js';
import { createUsergroupAdmin } from './slack/usergroup-admin.js';
import { reachSlack, SlackRefusedError } from './slack/reach-slack.js';
import { slackLogger } from './slack/slack-logger.js';
import { sendJson } from './http/send-json.js';
import { createWebClient } from './slack/web-client.js';
import { describeLocation, openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import { errorMessage } from './error-message.js';
import { redactSecrets } from './domain/redact.js';
import { runWithin, SHUTDOWN_TIMEOUT_MS } from './bounded-shutdown.js';

export interface JitbotOptions {
  env: Env;
  policy: LoadedPolicy;
  /** Relative paths in the policy (command provisioners) resolve against this folder. */
  policyDir: string;
  /** Where provisioner secrets (`secret_env`, `pass_env`) are read from. */
  secrets: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  clock?: Clock;
  /** Who this process is among replicas (leases, claims, log lines); made up when not given. */
  replicaId?: string;
  retry?: RetrySettings;
  workerConcurrency?: number;
  slackApiRetries?: number;
}

export type ReloadOutcome =
  | { kind: 'unchanged'; version: string }
  | { kind: 'rejected'; problems: string[] }
  | { kind: 'reloaded'; from: string; to: string; changes: string[] };


/** Why the bot cannot start, naming the variable to fix; a URL in it shows no credentials. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  constructor(message: string) {
    super(redactSecrets(message));
  }
}

async function openOrExplain(location: DatabaseLocation, auditKey: string): Promise<Store> {
  try {
    return await openStore(location, { auditKey });
  } catch (error) {
    throw new StartupError(
      location.kind === 'sqlite'
        ? `DATABASE_PATH: cannot open the SQLite file ${location.path} (${errorMessage(error)})`
        : `DATABASE_URL: cannot open the PostgreSQL database ${describeLocation(location)} (${errorMessage(error)})`,
    );
  }
}

async function whenReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    await once(redis, 'ready', { signal: timeout });
  } catch {
    throw new Error(`no answer within ${timeoutMs / 1000} s`);
  }
}

/** The start-up check of SLACK_BOT_TOKEN; Slack's answer says who the bot is. */
/** Who the bot is, from the start-up `auth.test`: Bolt is told once, instead of asking Slack before every request. */
function botIdentityOf(answer: { bot_id?: string; user_id?: string }): BotIdentity {
  if (!answer.bot_id || !answer.user_id) throw new StartupError('SLACK_BOT_TOKEN: Slack knows no bot by this token; use the bot token (xoxb-…)');
  return { botId: answer.bot_id, botUserId: answer.user_id };
}

/** The `audit_webhook` sender, or undefined when none is configured; its secret must be set. */
function auditWebhookSender(config: Policy['settings']['audit_webhook'], secrets: Readonly<Record<string, string | undefined>>, clock: Clock) {
  if (!config) return undefined;
  const secret = secrets[config.secret_env];
  if (secret === undefined || secret.trim() === '') throw new ConfigError(notSetProblem({ at: 'settings.audit_webhook.secret_env', variable: config.secret_env }));
  return createWebhookSender({ url: config.url, secret, timeoutMs: config.timeout.toMillis(), clock });
}

/** Starts a server on HOST and its port; a port in use or an address not ours stops start-up naming the variable. */
async function listen(server: Server, host: string, port: number, variable: string): Promise<number> {
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    throw new StartupError(`${variable}: cannot listen on ${host}:${port} (${errorMessage(error)})`);
  }
  return (server.address() as AddressInfo).port;
}

/**
 * Jobs in hand at once. Most of them are timers waiting out their last seconds in process
 * (see TIMER_LEAD_MS: a burst of 1,000 expiries a second holds 2,500), so this is high;
 * provisioner calls are capped apart.
 */
const WORKER_CONCURRENCY = 4_000;
const PROVISIONER_CONCURRENCY = 50;
/** Reports of what is already done (decisions, grants, revocations) sent at once; see MessageLane. */
const MESSAGES_IN_FLIGHT = 8;
/** Commands and clicks worked on at once after their acks; see followUp. */
export const FOLLOW_UPS_IN_FLIGHT = 4;

/**
 * Builds the whole bot from parsed configuration: database, Redis timers, services, Slack,
 * HTTP. `start()` brings it up in order; `stop()` takes it down gracefully.
 */
export async function createJitbot(options: JitbotOptions) {
  const { env } = options;
  const replicaId = options.replicaId ?? newReplicaId();
  const log = options.logger.child({ replica: replicaId });
  const clock = options.clock ?? systemClock;
  // Read through accessors everywhere, so a policy reload only has to swap this one value.
  let loaded = options.policy;
  const policy = () => loaded;

  const slackOptions = {
    botToken: env.SLACK_BOT_TOKEN,
    apiUrl: env.SLACK_API_URL,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    apiRetries: options.slackApiRetries ?? 5,
  };
  const sdkLogger = slackLogger(log, 'web-api');
  const client = createWebClient(slackOptions.botToken, slackOptions.apiUrl, slackOptions.apiRetries, sdkLogger);
  // Start-up's auth.test is tried once per attempt: reachSlack is its retry, and its log line (with the
  // cause) replaces the SDK's own warning, so that client only speaks up for errors.
  const errorsOnly = log.child({}, { level: log.isLevelEnabled('warn') ? 'error' : log.level });
  const startupClient = createWebClient(slackOptions.botToken, slackOptions.apiUrl, 0, slackLogger(errorsOnly, 'web-api'));
  /** Until start-up has reached Slack, what stands in the way (/healthz tells it). */
  let slackProblem: string | undefined = 'not reached yet';
  /** stop() during start-up ends the wait for Slack. */
  const stopWaiting = new AbortController();
  let started = false;
  const usergroups = createUsergroupAdmin(client);
  const provisionersFor = (next: LoadedPolicy) => createProvisioners({ policy: next.policy, policyDir: options.policyDir, env: options.secrets, clock, usergroups });
  let provisioners = provisionersFor(loaded);
  const auditWebhook = auditWebhookSender(loaded.policy.settings.audit_webhook, options.secrets, clock);
  const store = await openOrExplain(env.database, env.AUDIT_HMAC_KEY);

  const redis = redisSettings(env);
  const prefix = queuePrefix(env.REDIS_PREFIX);
  const producer = redisConnection(redis, 'producer');
  const workerConnection = redisConnection(redis, 'worker');
  producer.on('error', (error) => log.warn({ err: error }, 'Redis (producer) error'));
  workerConnection.on('error', (error) => log.warn({ err: error }, 'Redis (worker) error'));

  /** `expiry_warning`: how long before a grant or exception ends its holder is told. */
  const expiryWarningMs = () => loaded.policy.settings.expiry_warning.toMillis();
  const accessQueue = createAccessQueue({
    connection: producer,
    prefix,
    retry: options.retry ?? DEFAULT_RETRY,
    clock,
    reminderLeadMs: expiryWarningMs,
  });
  const { scheduler } = accessQueue;
  const telemetry = createMetrics({
    liveGrants: () => store.liveGrantSetups(),
    now: () => clock.now().toMillis(),
    openExceptions: () => store.countOpenExceptions(),
    queueCounts: () => accessQueue.queue.getJobCounts('waiting', 'delayed', 'active', 'failed'),
    replica: { id: replicaId, store: store.kind, role: env.JITBOT_ROLE },
    leases: () => leases.map((l) => ({ name: l.name, held: l.held() })),
  });
  const { metrics } = telemetry;

  const directory = createSlackDirectory({ client, usergroupTtlMs: () => loaded.policy.settings.usergroup_cache.toMillis() });
  // The home service needs the services built on this notifier; the tab reaches it only after a change.
  const homeTab = createHomeTab({ client, home: () => home, directory, policy: () => loaded.policy, metrics, clock, log });
  const notifier = refreshingHomes(createSlackNotifier({ client, directory, policy: () => loaded.policy, metrics, log }), homeTab);
  client.on(WebClientEvent.RATE_LIMITED, (_retryAfter: number, call: { url: string }) => metrics.slackError(call.url.split('/').pop() ?? call.url, 'rate_limited'));
  const membership = createMembership({ policy: () => loaded.policy, directory });
  const accountOfUser: AccountLookup = (resource, user) => accountOf(provisioners.get(resource), user);

  const requestRefusals = createRequestRefusals({ store, metrics, clock, log });
  const accessRequests = createAccessRequestService({ store, policy, membership, directory, accountOf: accountOfUser, notifier, scheduler, metrics, refusals: requestRefusals, clock, log });
  const messages = createMessageLane({ inFlight: MESSAGES_IN_FLIGHT, log });
  const followUps = createMessageLane({ inFlight: FOLLOW_UPS_IN_FLIGHT, log });
  const book = createPolicyBook({ current: policy, store, log });
  const rulesOf = (version: string) => book.of(version);
  const pendingTimeoutMs = () => loaded.policy.settings.pending_timeout.toMillis();
  const decisions = createDecisionService({ store, rulesOf, membership, accountOf: accountOfUser, notifier, scheduler, metrics, messages, pendingTimeoutMs, clock, log });
  const endAccess = createEndAccessService({ store, policy, membership, scheduler, clock, log });
  const grantLifecycle = createGrantLifecycle({
    store,
    provisionerFor: (r) => provisioners.get(r),
    provisionerConcurrency: PROVISIONER_CONCURRENCY,
    replicaId,
    warningLeadMs: expiryWarningMs,
    notifier,
    messages,
    metrics,
    clock,
    log,
  });
  const exceptionLifecycle = createExceptionLifecycle({ store, scheduler, notifier, messages, reminderLeadMs: expiryWarningMs, clock, log });
  const optOut = createOptOutService({ store, policy, membership, directory, notifier, scheduler, lifecycle: exceptionLifecycle, messages, clock, log });
  const escalation = createEscalation({ store, rulesOf, membership, notifier, clock, log });
  const breakGlass = createBreakGlassService({ store, policy, membership, directory, accountOf: accountOfUser, notifier, scheduler, metrics, clock, log });
  const drift = createDriftDetector({ store, provisioners: () => provisioners.all(), policy, notifier, clock, log });
  const reviews = createReviewService({ store, policy, membership, notifier, endAccess, optOut, messages, clock, log });
  const extension = createExtensionService({ store, policy, accessRequests, scheduler, notifier, messages, clock, log });
  const revokeAll = createRevokeAll({ store, membership, exceptions: exceptionLifecycle, scheduler, notifier, clock, log });
  const home = createHomeService({ store, accessRequests, optOut, decisions, clock });
  const deliveries = createDeliveryLog({ store, clock });
  const slackApp = createSlackApp(slackOptions, { policy, accessRequests, breakGlass, decisions, deliveries, endAccess, extension, home, homeTab, optOut, reviews, revokeAll, directory, followUps, log }, log);
  const reconciler = createReconciler({
    store,
    scheduler,
    timers: accessQueue.timers,
    requestTimers: async (request) => requestTimers(request, (await book.of(request.policyVersion)).policy.resources[request.resource], pendingTimeoutMs()),
    restoreJobSchedulers: async () => {
      const { settings } = loaded.policy;
      await reviewSchedule?.sync(settings.review_schedule, settings.timezone);
      await checkpointSchedule?.sync(settings.security_channel, settings.timezone);
    },
    closeException: (id) => exceptionLifecycle.close(id, 'expired', 'jitbot'),
    repost: (request) => accessRequests.postForApproval(request),
    repostException: (exception) => optOut.postForApproval(exception),
    remindBreakGlass: (grantId) => breakGlass.remind(grantId),
    lapse: (requestId) => decisions.lapse(requestId),
    escalate: (requestId) => escalation.escalate(requestId),
    escalations: () => escalationDelays(loaded.policy),
    pendingTimeoutMs,
    clock,
    log,
  });

  // Split deployments: the web role only acks, records and asks; the worker role runs the timers.
  const answersSlack = env.JITBOT_ROLE !== 'worker';
  const runsTimers = env.JITBOT_ROLE !== 'web';

  // Not public by default: the numbers say who holds access. Its own port, a token, or off.
  const metricsAt = env.METRICS_PORT !== undefined ? 'own port' : env.METRICS_TOKEN !== undefined ? 'token' : 'off';
  const serveMetrics = metricsEndpoint({ registry: telemetry, token: env.METRICS_TOKEN, log });
  const metricsServer = metricsAt === 'own port' ? createMetricsServer({ metrics: serveMetrics, log }) : undefined;
  const apiRefusals = createRefusalTally({ record: (event) => store.recordEvent(event), clock, log });
  /** Until start-up is done, /healthz names what it waits for: Slack, or the rest of start-up. */
  const startupCheck = (): Record<string, HealthCheck> => {
    if (started) return {};
    const failing = (problem: string) => () => Promise.reject(new Error(problem));
    return slackProblem === undefined ? { startup: failing('still starting') } : { slack: failing(slackProblem) };
  };
  const slackListener = slackApp.httpListener;
  const server = createHttpServer({
    // Listening starts before Slack is reached (so /healthz can say so); nothing is acted on until start-up is done.
    slack: answersSlack && slackListener ? (req, res) => (started ? slackListener(req, res) : sendJson(res, 503, { error: 'starting' })) : undefined,
    metrics: metricsAt === 'token' ? serveMetrics : undefined,
    api: env.ADMIN_API_TOKEN ? createAdminApi({ token: env.ADMIN_API_TOKEN, store, refusals: apiRefusals }) : undefined,
    health: () =>
      checkHealth({
        [store.kind]: () => store.ping(),
        redis: async () => {
          await producer.ping();
        },
        ...startupCheck(),
      }),
    log,
  });

  let worker: ReturnType<typeof createAccessWorker> | undefined;
  let forwarder: ReturnType<typeof startAuditForwarder> | undefined;
  let loop: ReturnType<typeof startReconcileLoop> | undefined;
  let reviewSchedule: ReturnType<typeof startReviewSchedule> | undefined;
  let checkpointSchedule: ReturnType<typeof startCheckpointSchedule> | undefined;
  let driftLoop: ReturnType<typeof startDriftLoop> | undefined;
  /** Work that runs on one replica at a time, each while this one holds its lease. */
  const leases: Lease[] = [];
  const lease = (name: string, onTaken?: () => void) => {
    const kept = keepLease({ store, name, holder: replicaId, clock, log, ...(onTaken ? { onTaken } : {}) });
    leases.push(kept);
    return kept;
  };

  return {
    replicaId,
    /** The leases this replica holds now, by name (the sweep, drift checks, the audit forwarder). */
    heldLeases: () => leases.filter((l) => l.held()).map((l) => l.name),
    store,
    reconciler,
    accessQueue,
    services: { accessRequests, breakGlass, revokeAll, decisions, endAccess, optOut, reviews, drift, grantLifecycle, exceptionLifecycle },
    /** The `review_schedule` job scheduler, on a process that runs timers. */
    get reviewSchedule() {
      return reviewSchedule;
    },
    /** The daily audit checkpoint in the security channel, on a process that runs timers. */
    get checkpointSchedule() {
      return checkpointSchedule;
    },

    /**
     * Swaps in a new policy after checking it can run (its provisioners build, modules load).
     * Requests already waiting keep the rules they were made under. Every accepted change is
     * audited with what changed and announced in the security channel.
     */
    async reloadPolicy(next: LoadedPolicy): Promise<ReloadOutcome> {
      if (next.version === loaded.version) return { kind: 'unchanged', version: next.version };
      let nextProvisioners: ReturnType<typeof provisionersFor>;
      try {
        nextProvisioners = provisionersFor(next);
        await nextProvisioners.load();
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        log.error({ problems: error.problems }, 'policy reload rejected; the current policy stays');
        return { kind: 'rejected', problems: [...error.problems] };
      }
      const previous = { loaded, provisioners };
      const changes = describePolicyChange(previous.loaded.policy, next.policy);
      loaded = next;
      provisioners = nextProvisioners;
      await store.policyChanged({ from: previous.loaded.version, to: next.version, text: next.text, at: clock.now().toMillis(), details: { sha256_before: policyDigest(previous.loaded.text), sha256_after: policyDigest(next.text), changes } });
      await previous.provisioners.close();
      await reviewSchedule?.sync(next.policy.settings.review_schedule, next.policy.settings.timezone);
      await checkpointSchedule?.sync(next.policy.settings.security_channel, next.policy.settings.timezone);
      log.info({ from: previous.loaded.version, to: next.version, changes }, 'policy reloaded');
      messages.send(() => notifier.policyChanged(previous.loaded.version, next.version, changes));
      return { kind: 'reloaded', from: previous.loaded.version, to: next.version, changes };
    },

    /** SIGHUP or a changed file: reads and validates the file; an invalid one is logged and changes nothing. */
    async reloadPolicyFile(path: string): Promise<ReloadOutcome> {
      let next: LoadedPolicy;
      try {
        next = loadPolicyFile(path);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        log.error({ problems: error.problems }, 'policy reload rejected; the current policy stays');
        return { kind: 'rejected', problems: [...error.problems] };
      }
      return this.reloadPolicy(next);
    },

    async start(): Promise<{ port: number; metricsPort: number | undefined }> {
      await provisioners.load();
      await store.rememberPolicy(loaded.version, loaded.text, clock.now().toMillis());
      const port = await listen(server, env.HOST, env.PORT, 'PORT');
      const metricsPort = metricsServer && env.METRICS_PORT !== undefined ? await listen(metricsServer, env.HOST, env.METRICS_PORT, 'METRICS_PORT') : undefined;
      try {
        const answer = await reachSlack({
          call: () => startupClient.auth.test(),
          apiUrl: env.SLACK_API_URL,
          waiting: (problem) => (slackProblem = problem),
          signal: stopWaiting.signal,
          log,
        });
        slackApp.identify(botIdentityOf(answer));
      } catch (error) {
        if (error instanceof SlackRefusedError) throw new StartupError(`SLACK_BOT_TOKEN: Slack refused the token (${error.code}); check the bot token and SLACK_API_URL`);
        if (stopWaiting.signal.aborted) throw new StartupError(`stopped while waiting for Slack (${slackProblem ?? 'no answer yet'})`);
        throw error;
      }
      try {
        await Promise.all([whenReady(producer, 5_000), whenReady(workerConnection, 5_000)]);
      } catch (error) {
        throw new StartupError(`${describeRedis(redis)} (${errorMessage(error)})`);
      }
      if (runsTimers) {
        worker = createAccessWorker({ connection: workerConnection, prefix, concurrency: options.workerConcurrency ?? WORKER_CONCURRENCY, grants: grantLifecycle, exceptions: exceptionLifecycle, escalation, decisions, breakGlass, clock, log });
        // Timers first (whatever Redis lost while we were down), then the regular sweep.
        const restored = await reconciler.restoreAllTimers();
        await accessQueue.timers.markIntact();
        log.info({ restored }, 'timers restored from the database');
        // Taking the sweep's lease (at start, or from a replica that died) sweeps at once.
        const sweepLease = lease('reconcile', () => void loop?.trigger());
        loop = startReconcileLoop({ reconciler, intervalMs: loaded.policy.settings.reconcile_interval.toMillis(), lease: sweepLease, log });
        producer.on('ready', () => void loop?.trigger());
        void loop.trigger();
        driftLoop = startDriftLoop({ drift, intervalMs: loaded.policy.settings.reconcile_interval.toMillis(), lease: lease('drift'), log });
        if (auditWebhook) forwarder = startAuditForwarder({ store, send: auditWebhook, alert: (problem) => notifier.auditStreamStopped(problem), lease: lease('audit-forwarder'), clock, log });
        const { settings } = loaded.policy;
        reviewSchedule = startReviewSchedule({
          producer,
          workerConnection,
          prefix,
          run: (days) => reviews.runAndPost({ trigger: 'schedule', by: 'jitbot', days }),
          clock,
          log,
        });
        await reviewSchedule.sync(settings.review_schedule, settings.timezone);
        checkpointSchedule = startCheckpointSchedule({
          producer,
          workerConnection,
          prefix,
          post: async () => {
            const head = await store.auditHead();
            if (head) await notifier.auditCheckpoint(store.auditCheckpoint(head, clock.now().toMillis()));
          },
          clock,
          log,
        });
        await checkpointSchedule.sync(settings.security_channel, settings.timezone);
      }

      if (metricsAt === 'off') log.warn('GET /metrics is off: set METRICS_PORT (a port of its own) or METRICS_TOKEN (a bearer token) to serve it');
      if (env.SLACK_APP_TOKEN && answersSlack) await slackApp.app.start();
      started = true;
      log.info({ host: env.HOST, port, metrics: metricsPort ?? metricsAt, mode: env.SLACK_APP_TOKEN ? 'socket' : 'http', role: env.JITBOT_ROLE }, 'jitbot is running');
      return { port, metricsPort };
    },

    /**
     * Finishes what it can within SHUTDOWN_TIMEOUT_MS (running jobs, the sweep, messages
     * already decided), then lets go of whatever is not answering, so it always returns.
     * `releaseLeases: false` leaves its leases to run out, as a replica that died would.
     */
    async stop({ releaseLeases = true }: { releaseLeases?: boolean } = {}): Promise<void> {
      stopWaiting.abort();
      for (const listening of [server, metricsServer]) {
        listening?.close();
        listening?.closeAllConnections();
      }
      const abandoned = await runWithin(
        SHUTDOWN_TIMEOUT_MS,
        [
          ['Socket Mode', async () => env.SLACK_APP_TOKEN && answersSlack && (await slackApp.app.stop())],
          ['work after acks', () => followUps.drain(5_000)],
          ['sweeps', async () => {
            await Promise.all([loop?.stop(), driftLoop?.stop(), forwarder?.stop()]);
            // Given up once their work stopped, so another replica takes it over at once.
            await Promise.all(leases.splice(0).map((l) => l.stop({ release: releaseLeases })));
          }],
          ['running jobs', () => Promise.all([reviewSchedule?.close(), checkpointSchedule?.close(), worker?.close()])],
          ['messages', () => messages.drain(5_000)],
          ['App Home redraws', () => homeTab.stop()],
          ['queue', () => accessQueue.close()],
          ['provisioners', () => provisioners.close()],
          ['admin API refusals', () => apiRefusals.stop()],
          ['refused requests', () => requestRefusals.stop()],
        ],
        log,
      );
      producer.disconnect();
      workerConnection.disconnect();
      await store.close();
      if (abandoned.length > 0) log.warn({ abandoned, afterMs: SHUTDOWN_TIMEOUT_MS }, 'jitbot stopped without waiting for what did not answer');
      else log.info('jitbot stopped');
    },
  };
}

export type Jitbot = Awaited<ReturnType<typeof createJitbot>>;
