import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { isoInstant } from '../config/iso-instant.js';
import { EXCEPTION_STATUSES, GRANT_STATUSES, REQUEST_STATUSES } from '../domain/states.js';
import { postedReview } from '../services/review.js';
import { documentAsJson, rowAsJson } from '../services/row-json.js';
import type { Store } from '../store/store.js';
import { bearerTokenCheck } from './bearer-token.js';
import { requestTarget } from './request-target.js';
import { sendJson } from './send-json.js';
import type { RefusalTally } from './refusal-tally.js';

type ApiStore = Pick<Store, 'listGrants' | 'listRequests' | 'pageExceptions' | 'listAuditEvents' | 'pageReviews' | 'reviewDecisions'>;

const MAX_LIMIT = 500;

const isoTime = isoInstant('expected an ISO 8601 time like 2026-11-01T09:00:00Z').optional();

/** Opaque to clients: the position after the last item of a page. */
const cursor = z
  .string()
  .transform((text, ctx) => {
    try {
      return z.tuple([z.number(), z.string()]).parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a cursor from a previous next_cursor' });
      return z.NEVER;
    }
  })
  .optional();

const page = {
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
  cursor,
  since: isoTime,
  until: isoTime,
};
const QUERIES = {
  grants: z.strictObject({ ...page, user: z.string().optional(), resource: z.string().optional(), status: z.enum(GRANT_STATUSES).optional() }),
  requests: z.strictObject({ ...page, user: z.string().optional(), resource: z.string().optional(), status: z.enum(REQUEST_STATUSES).optional() }),
  exceptions: z.strictObject({ ...page, user: z.string().optional(), resource: z.string().optional(), status: z.enum(EXCEPTION_STATUSES).optional() }),
  reviews: z.strictObject({ ...page, by: z.string().optional() }),
  audit: z.strictObject({ ...page, actor: z.string().optional(), action: z.string().optional(), subject: z.string().optional(), resource: z.string().optional() }),
};
type Collection = keyof typeof QUERIES;

const encodeCursor = (position: [number, string]) => Buffer.from(JSON.stringify(position)).toString('base64url');

/** Admin answers are about people's access: never cached on the way. */
const send = (res: ServerResponse, status: number, body: unknown) => sendJson(res, status, body, { 'cache-control': 'no-store' });

/**
 * Read-only JSON under /api/, only with `Authorization: Bearer $ADMIN_API_TOKEN`
 * (compared in constant time). A wrong or missing token is answered 401 and counted: the
 * audit trail gets one event per source and minute (see RefusalTally).
 */
export function createAdminApi(deps: { token: string; store: ApiStore; refusals: Pick<RefusalTally, 'note'> }) {
  const authorized = bearerTokenCheck(deps.token);

  type Answer = { status: number; body: unknown };
  type Page = { position: [number, string]; row: object }[];

  /** Validates the query against the collection's schema, then answers with one page. */
  async function answer<S extends z.ZodType<{ limit: number; cursor?: [number, string] | undefined; since?: number | undefined; until?: number | undefined }>>(
    schema: S,
    query: URLSearchParams,
    read: (q: z.output<S>, after: { at: number; id: string } | undefined) => Promise<Page>,
  ): Promise<Answer> {
    const parsed = schema.safeParse(Object.fromEntries(query));
    if (!parsed.success) {
      return { status: 400, body: { error: 'bad_query', problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`) } };
    }
    const q = parsed.data;
    const rows = await read(q, q.cursor ? { at: q.cursor[0], id: q.cursor[1] } : undefined);
    const last = rows[rows.length - 1];
    return { status: 200, body: { items: rows.map((r) => rowAsJson(r.row)), next_cursor: rows.length === q.limit && last ? encodeCursor(last.position) : null } };
  }

  const collections: Record<Collection, (query: URLSearchParams) => Promise<Answer>> = {
    grants: (query) =>
      answer(QUERIES.grants, query, async (q, after) =>
        (await deps.store.listGrants({ userId: q.user, resource: q.resource, status: q.status, since: q.since, until: q.until }, after, q.limit)).map((g) => ({ position: [g.grantedAt, g.id], row: g })),
      ),
    requests: (query) =>
      answer(QUERIES.requests, query, async (q, after) =>
        (await deps.store.listRequests({ userId: q.user, resource: q.resource, status: q.status, since: q.since, until: q.until }, after, q.limit)).map((r) => ({ position: [r.createdAt, r.id], row: r })),
      ),
    exceptions: (query) =>
      answer(QUERIES.exceptions, query, async (q, after) =>
        (await deps.store.pageExceptions({ userId: q.user, resource: q.resource, status: q.status, since: q.since, until: q.until }, after, q.limit)).map((e) => ({ position: [e.createdAt, e.id], row: e })),
      ),
    reviews: (query) =>
      answer(QUERIES.reviews, query, async (q, after) =>
        Promise.all(
          (await deps.store.pageReviews({ createdBy: q.by, since: q.since, until: q.until }, after, q.limit)).map(async (review) => {
            const { report, decisions } = await postedReview(deps.store, review);
            return { position: [review.createdAt, review.id], row: { ...review, report: documentAsJson(report), decisions: decisions.map(rowAsJson) } };
          }),
        ),
      ),
    audit: (query) =>
      answer(QUERIES.audit, query, async (q, after) =>
        (await deps.store.listAuditEvents({ actor: q.actor, action: q.action, subjectId: q.subject, resource: q.resource, since: q.since, until: q.until }, after?.at ?? 0, q.limit)).map((a) => ({
          position: [a.seq, ''],
          row: a,
        })),
      ),
  };
  const isCollection = (name: string): name is Collection => Object.hasOwn(collections, name);

  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = requestTarget(req);
    if (url === undefined) {
      send(res, 400, { error: 'bad_request_target' });
      return;
    }
    if (!authorized(req.headers.authorization)) {
      deps.refusals.note({ source: req.socket.remoteAddress, path: url.pathname, hadToken: req.headers.authorization !== undefined });
      send(res, 401, { error: 'unauthorized', message: 'send Authorization: Bearer <ADMIN_API_TOKEN>' });
      return;
    }
    const collection = url.pathname.replace(/^\/api\//, '').replace(/\/$/, '');
    if (req.method !== 'GET' || !isCollection(collection)) {
      send(res, 404, { error: 'not_found', collections: Object.keys(collections).map((c) => `/api/${c}`) });
      return;
    }
    collections[collection](url.searchParams).then(
      ({ status, body }) => send(res, status, body),
      () => send(res, 503, { error: 'unavailable', message: 'the database did not answer; try again' }),
    );
  };
}
