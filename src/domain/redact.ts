/**
 * Text that may hold secrets (an error naming a URL, a receiver's answer, a program's stderr),
 * made fit to show, store or log. Pure; redacting twice changes nothing more.
 */

/** Anything written `scheme://…`: web addresses and connection strings alike. */
const URL_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'`<>]*/gi;
/** Punctuation that ends the sentence around a URL rather than the URL itself. */
const TRAILING = /[.,;:!?)\]}]+$/;
/** A clean authority, `host` or `host:port`: an `@` after it is in the path or query, not credentials. */
const PLAIN_AUTHORITY = /^(?:[\w.-]+|\[[0-9a-f:.]+\])(?::\d+)?$/i;
const SECRET_NAME = String.raw`[\w-]*(?:password|passwd|pwd|secret|token|api[_-]?key|credential|authorization)[\w-]*`;
/** `password=…` (libpq, query strings, `;`-separated connection strings). */
const ASSIGNED_SECRET = new RegExp(String.raw`(?<![\w-])(${SECRET_NAME})=(?:'[^']*'|"[^"]*"|[^\s&;,'"]*)`, 'gi');
/** `"token": "…"` in JSON. */
const JSON_SECRET = new RegExp(String.raw`"(${SECRET_NAME})"(\s*:\s*)"(?:[^"\\]|\\.)*"`, 'gi');
const BEARER = /\b(Bearer|Basic)\s+[\w~+/.=-]+/gi;
const SLACK_TOKEN = /\bx(?:ox[a-z]|app)-[\w-]+/gi;

export const REDACTED = '[redacted]';

/** A URL as its scheme, host, port and path: credentials, query and fragment dropped. */
function shownUrl(url: string): string {
  const schemeEnd = url.indexOf('://') + 3;
  const rest = url.slice(schemeEnd);
  const at = rest.lastIndexOf('@');
  const authorityEnd = rest.search(/[/?#]/);
  const beforeDelimiter = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  // Where the authority is not a plain host, everything up to the last `@` is taken for credentials,
  // so a password holding `/`, `?` or `#` unencoded is dropped whole.
  const hostOnward = at !== -1 && !PLAIN_AUTHORITY.test(beforeDelimiter) ? rest.slice(at + 1) : rest;
  const [hostAndPath = ''] = hostOnward.split(/[?#]/, 1);
  return url.slice(0, schemeEnd) + hostAndPath;
}

/**
 * Every URL and connection string shown as origin and path; `password=…`, JSON secret fields,
 * bearer and Slack tokens replaced by `[redacted]`.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(URL_LIKE, (match) => {
      const trailing = TRAILING.exec(match)?.[0] ?? '';
      return shownUrl(match.slice(0, match.length - trailing.length)) + trailing;
    })
    .replace(JSON_SECRET, `"$1"$2"${REDACTED}"`)
    .replace(ASSIGNED_SECRET, `$1=${REDACTED}`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(SLACK_TOKEN, REDACTED);
}

/** How much of a text from outside jitbot (a receiver's body, stderr, a driver's message) is kept. */
export const QUOTED_TEXT_LIMIT = 300;

/**
 * Text from outside jitbot as jitbot may repeat it: redacted (whole, before it is cut), on one
 * line, at most `max` characters: its start, or with `keep: 'end'` its end (a program's last words).
 */
export function quotedFromOutside(text: string, options: { max?: number; keep?: 'start' | 'end' } = {}): string {
  const { max = QUOTED_TEXT_LIMIT, keep = 'start' } = options;
  const line = redactSecrets(text).replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  return keep === 'start' ? `${line.slice(0, max - 1)}…` : `…${line.slice(-(max - 1))}`;
}
