import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { grantSetup, type GrantStatus } from '../domain/states.js';
import type { Metrics } from '../services/ports.js';

export interface MetricsSources {
  /** Grants whose access may still exist, with where their setup stands. */
  liveGrants: () => Promise<readonly { status: GrantStatus; grantedAt: number; provisionedAt: number | null; provisionError: string | null }[]>;
  now: () => number;
  openExceptions: () => Promise<number>;
  /** Jobs in the access queue by state (waiting, delayed, active, failed). */
  queueCounts: () => Promise<Record<string, number>>;
  /** Which process this is among replicas, on which store, in which role. */
  replica: { id: string; store: string; role: string };
  /** Every once-at-a-time task this process runs, and whether it holds its lease now. */
  leases: () => readonly { name: string; held: boolean }[];
}

/**
 * The Prometheus registry behind `GET /metrics`: counters the services record into, and
 * gauges read from the database and BullMQ when scraped, so they are never out of date.
 */
export function createMetrics(sources: MetricsSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'jitbot_' });
  const registers = [registry];

  new Gauge({
    name: 'jitbot_replica_info',
    help: 'This process among replicas: its id (as in its log lines), store and role; always 1',
    labelNames: ['replica', 'store', 'role'],
    registers,
    collect() {
      this.set({ replica: sources.replica.id, store: sources.replica.store, role: sources.replica.role }, 1);
    },
  });
  new Gauge({
    name: 'jitbot_lease_held',
    help: 'Whether this replica runs a once-at-a-time task now (1) or another replica may (0), by task',
    labelNames: ['lease'],
    registers,
    collect() {
      for (const { name, held } of sources.leases()) this.set({ lease: name }, held ? 1 : 0);
    },
  });
  const requests = new Counter({ name: 'jitbot_requests_total', help: 'Access requests by outcome', labelNames: ['outcome'], registers });
  const approvalLatency = new Histogram({
    name: 'jitbot_approval_latency_seconds',
    help: 'From /request to the final approval',
    buckets: [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 14400],
    registers,
  });
  const lateness = new Histogram({
    name: 'jitbot_revocation_lateness_seconds',
    help: 'revoked_at minus expires_at of grants that expired',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300],
    registers,
  });
  const provisioner = new Counter({
    name: 'jitbot_provisioner_calls_total',
    help: 'Provisioner calls by provisioner type, action and result',
    labelNames: ['type', 'action', 'result'],
    registers,
  });
  const slackErrors = new Counter({ name: 'jitbot_slack_api_errors_total', help: 'Slack Web API calls that failed, by method and error', labelNames: ['method', 'error'], registers });
  /** Live grants as the two gauges count them: set up (or failing to revoke), and the rest by setup state. */
  async function countGrants() {
    const counts = { active: 0, scheduled: 0, setting_up: 0, setup_failed: 0 };
    const now = sources.now();
    for (const grant of await sources.liveGrants()) {
      const setup = grantSetup(grant, now);
      if (setup === 'done' || grant.status === 'revoke_failed') counts.active += 1;
      else if (setup === 'failed') counts.setup_failed += 1;
      else if (setup === 'scheduled') counts.scheduled += 1;
      else counts.setting_up += 1;
    }
    return counts;
  }
  new Gauge({
    name: 'jitbot_active_grants',
    help: 'Grants whose access is set up and may still exist (active, or revoke_failed)',
    registers,
    async collect() {
      this.set((await countGrants()).active);
    },
  });
  new Gauge({
    name: 'jitbot_grants_not_set_up',
    help: 'Grants not ended whose access is not set up, by state (scheduled, setting_up, setup_failed)',
    labelNames: ['state'],
    registers,
    async collect() {
      const { active: _setUp, ...notSetUp } = await countGrants();
      for (const [state, count] of Object.entries(notSetUp)) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'jitbot_open_exceptions',
    help: 'Opt-out exceptions currently open',
    registers,
    async collect() {
      this.set(await sources.openExceptions());
    },
  });
  new Gauge({
    name: 'jitbot_queue_jobs',
    help: 'Jobs in the access queue by state',
    labelNames: ['state'],
    registers,
    async collect() {
      this.reset();
      // Redis unreachable: this scrape has no queue numbers rather than failing whole.
      const counts = await sources.queueCounts().catch(() => ({}));
      for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
    },
  });

  const metrics: Metrics = {
    requestOutcome: (outcome) => requests.inc({ outcome }),
    approvalLatency: (seconds) => approvalLatency.observe(seconds),
    revocationLateness: (seconds) => lateness.observe(Math.max(0, seconds)),
    provisionerCall: (type, action, ok) => provisioner.inc({ type, action, result: ok ? 'ok' : 'failed' }),
    slackError: (method, error) => slackErrors.inc({ method, error }),
  };

  return {
    metrics,
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}

export type MetricsRegistry = ReturnType<typeof createMetrics>;
