import type { IncomingMessage } from 'node:http';

/**
 * The URL a request asks for, or undefined when its target is not one. A path is read as a
 * path (`//api` is not a host called "api"), and targets such as `//@`, `/\` or `*` that
 * `new URL(target, base)` throws on are answered 400 by the caller instead of crashing it.
 */
export function requestTarget(req: Pick<IncomingMessage, 'url'>): URL | undefined {
  const target = req.url ?? '/';
  try {
    return new URL(target.startsWith('/') ? `http://localhost${target}` : target);
  } catch {
    return undefined;
  }
}
