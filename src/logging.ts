import pino, { type Logger, type LoggerOptions } from 'pino';
import { redactSecrets } from './domain/redact.js';

/** Every string of a log line's fields, however deep (to a limit), through redactSecrets. */
function redactFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactFields(item, depth + 1));
  // Only plain objects: an Error is left whole for the `err` serializer (which redacts what it
  // makes of it), and a DateTime or a Buffer keeps its own JSON form.
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactFields(item, depth + 1)]));
}

/**
 * How jitbot logs: tokens and secrets by name are censored, and every message and field,
 * errors (with their causes) included, shows URLs as origin and path, without credentials.
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'jitbot' },
    redact: {
      paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization', 'secret', '*.secret', 'appToken', 'botToken', 'signingSecret'],
      censor: '[redacted]',
    },
    // The serializer's objects are not plain (and hold their causes' too): their JSON is redacted.
    serializers: { err: (error: Error) => redactFields(JSON.parse(JSON.stringify(pino.stdSerializers.err(error))) as unknown) },
    formatters: { log: (fields) => redactFields(fields) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg: unknown) => (typeof arg === 'string' ? redactSecrets(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
}

/** JSON logs, pretty in a terminal. */
export function createLogger(level: string, pretty = process.stdout.isTTY, toStderr = false): Logger {
  const options = { ...loggerOptions(level), ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}) };
  // The CLI keeps stdout for its output.
  return toStderr && !pretty ? pino(options, pino.destination(2)) : pino(options);
}
