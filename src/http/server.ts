import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { Log } from '../services/ports.js';
import type { HealthReport } from './health.js';
import { requestTarget } from './request-target.js';
import { sendJson } from './send-json.js';

type Route = (req: IncomingMessage, res: ServerResponse, path: string) => void;

/**
 * A server whose routes see a parsed path: a target that is not one is answered 400, and
 * whatever a route throws is that request's 500, never the end of the process.
 */
function guardedServer(route: Route, log: Log) {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    try {
      const target = requestTarget(req);
      if (target === undefined) sendJson(res, 400, { error: 'bad_request_target' });
      else route(req, res, target.pathname);
    } catch (error) {
      log.error({ err: error, method: req.method }, 'HTTP request handler failed');
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: 'internal_error' });
    }
  });
}

/** The bot's main server: Slack's requests, health checks, the admin API, and metrics when they are served here. */
export function createHttpServer(deps: {
  slack: RequestListener | undefined;
  health: () => Promise<HealthReport>;
  /** GET /metrics on this port; undefined when metrics have a port of their own or are off. */
  metrics: RequestListener | undefined;
  /** The admin API under /api/; undefined (off) when ADMIN_API_TOKEN is unset. */
  api: RequestListener | undefined;
  log: Log;
}) {
  return guardedServer((req, res, path) => {
    if (path === '/slack/events' && req.method === 'POST' && deps.slack) {
      deps.slack(req, res);
      return;
    }
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      deps.health().then(
        (report) => sendJson(res, report.status === 'ok' ? 200 : 503, report),
        (error: unknown) => {
          deps.log.error({ err: error }, 'health check crashed');
          sendJson(res, 503, { status: 'unavailable' });
        },
      );
      return;
    }
    if ((path === '/api' || path.startsWith('/api/')) && deps.api) {
      deps.api(req, res);
      return;
    }
    if (path === '/metrics' && req.method === 'GET' && deps.metrics) {
      deps.metrics(req, res);
      return;
    }
    sendJson(res, 404, { error: 'not_found' });
  }, deps.log);
}

/** `METRICS_PORT`: a server for GET /metrics alone, so the bot's public port need not show it. */
export function createMetricsServer(deps: { metrics: RequestListener; log: Log }) {
  return guardedServer((req, res, path) => {
    if (path === '/metrics' && req.method === 'GET') deps.metrics(req, res);
    else sendJson(res, 404, { error: 'not_found' });
  }, deps.log);
}
