import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { Log } from '../services/ports.js';
import type { HealthReport } from './health.js';
import { requestTarget } from './request-target.js';
import { sendJson } from './send-json.js';

/** One HTTP server for everything: Slack's requests, health checks, metrics and the admin API. */
export function createHttpServer(deps: {
  slack: RequestListener | undefined;
  health: () => Promise<HealthReport>;
  metrics: { contentType: string; render: () => Promise<string> };
  /** The admin API under /api/; undefined (off) when ADMIN_API_TOKEN is unset. */
  api: RequestListener | undefined;
  log: Log;
}) {
  const route = (req: IncomingMessage, res: ServerResponse): void => {
    const target = requestTarget(req);
    if (target === undefined) {
      sendJson(res, 400, { error: 'bad_request_target' });
      return;
    }
    const path = target.pathname;
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
    if (path === '/metrics' && req.method === 'GET') {
      deps.metrics.render().then(
        (body) => {
          res.writeHead(200, { 'content-type': deps.metrics.contentType });
          res.end(body);
        },
        (error: unknown) => {
          deps.log.error({ err: error }, 'metrics collection failed');
          sendJson(res, 500, { error: 'metrics_failed' });
        },
      );
      return;
    }
    sendJson(res, 404, { error: 'not_found' });
  };

  // Whatever a handler throws is this request's 500, never the process's end.
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    try {
      route(req, res);
    } catch (error) {
      deps.log.error({ err: error, method: req.method }, 'HTTP request handler failed');
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: 'internal_error' });
    }
  });
}
