import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Log } from '../services/ports.js';
import { bearerTokenCheck } from './bearer-token.js';
import { sendJson } from './send-json.js';

/**
 * GET /metrics: the Prometheus text. With `METRICS_TOKEN` set, only for
 * `Authorization: Bearer $METRICS_TOKEN`: the numbers say who holds access right now.
 */
export function metricsEndpoint(deps: { registry: { contentType: string; render: () => Promise<string> }; token: string | undefined; log: Log }) {
  const authorized = deps.token === undefined ? () => true : bearerTokenCheck(deps.token);
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (!authorized(req.headers.authorization)) {
      sendJson(res, 401, { error: 'unauthorized', message: 'send Authorization: Bearer <METRICS_TOKEN>' }, { 'www-authenticate': 'Bearer' });
      return;
    }
    deps.registry.render().then(
      (body) => {
        res.writeHead(200, { 'content-type': deps.registry.contentType });
        res.end(body);
      },
      (error: unknown) => {
        deps.log.error({ err: error }, 'metrics collection failed');
        sendJson(res, 500, { error: 'metrics_failed' });
      },
    );
  };
}
