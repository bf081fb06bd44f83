import pino, { type Logger } from 'pino';

/** JSON logs, pretty in a terminal; tokens and secrets are never written. */
export function createLogger(level: string, pretty = process.stdout.isTTY): Logger {
  return pino({
    level,
    base: { service: 'jitbot' },
    redact: {
      paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization', 'secret', '*.secret', 'appToken', 'botToken', 'signingSecret'],
      censor: '[redacted]',
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  });
}
