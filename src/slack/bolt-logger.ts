import { LogLevel, type Logger } from '@slack/bolt';
import type { Logger as Pino } from 'pino';

const PINO_LEVEL: Record<LogLevel, string> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

/** Bolt logs through our pino logger, so every line is structured and redacted alike. */
export function boltLogger(pino: Pino): Logger {
  const log = pino.child({ component: 'bolt' });
  const line = (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : JSON.stringify(p))).join(' ');
  return {
    debug: (...parts) => log.debug(line(parts)),
    info: (...parts) => log.info(line(parts)),
    warn: (...parts) => log.warn(line(parts)),
    error: (...parts) => log.error(line(parts)),
    setLevel: (level) => {
      log.level = PINO_LEVEL[level];
    },
    getLevel: () => (Object.entries(PINO_LEVEL).find(([, v]) => v === log.level)?.[0] as LogLevel | undefined) ?? LogLevel.INFO,
    setName: () => undefined,
  };
}
