import pino, { type Logger } from 'pino';

/** JSON logs, pretty in a terminal; tokens and secrets are never written. */
export function createLogger(level: string, pretty = process.stdout.isTTY, toStderr = false): Logger {
  const options = {
    level,
    base: { service: 'jitbot' },
    redact: {
      paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization', 'secret', '*.secret', 'appToken', 'botToken', 'signingSecret'],
      censor: '[redacted]',
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  };
  // The CLI keeps stdout for its output.
  return toStderr && !pretty ? pino(options, pino.destination(2)) : pino(options);
}
