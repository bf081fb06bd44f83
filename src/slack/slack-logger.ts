import { LogLevel, type Logger } from '@slack/bolt';
import type { Logger as Pino } from 'pino';

const PINO_LEVEL: Record<LogLevel, string> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

/**
 * The Slack SDKs (Bolt, the Web API client, Socket Mode) log through our pino logger, so every
 * line is JSON and redacted alike. LOG_LEVEL decides what is written: Bolt's own `setLevel`
 * (it sets INFO at start) is ignored.
 */
export function slackLogger(pino: Pino, component: 'bolt' | 'web-api'): Logger {
  const log = pino.child({ component });
  const line = (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : JSON.stringify(p))).join(' ');
  return {
    debug: (...parts) => log.debug(line(parts)),
    info: (...parts) => log.info(line(parts)),
    warn: (...parts) => log.warn(line(parts)),
    error: (...parts) => log.error(line(parts)),
    setLevel: () => undefined,
    getLevel: () => (Object.entries(PINO_LEVEL).find(([, v]) => v === log.level)?.[0] as LogLevel | undefined) ?? LogLevel.INFO,
    setName: () => undefined,
  };
}
