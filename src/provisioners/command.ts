import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { quotedFromOutside } from '../domain/redact.js';
import { ACTION_OF, ProvisionerError, type AccessEvent, type Provisioner } from './provisioner.js';

const OUTPUT_LIMIT = 16 * 1024;
const KILL_GRACE_MS = 2_000;

/** Keeps the last `OUTPUT_LIMIT` bytes of a stream: enough to explain a failure, never unbounded. */
function tail() {
  let text = '';
  return {
    add(chunk: Buffer) {
      text = (text + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    },
    /** What the program last said, as jitbot may repeat it. */
    quoted: () => quotedFromOutside(text, { keep: 'end' }),
  };
}

/**
 * Runs a program (no shell) with the grant as JSON on stdin and JITBOT_* variables. The
 * environment is only what the caller passes: jitbot's own tokens never reach the program.
 */
export function createCommandProvisioner(options: {
  run: readonly string[];
  cwd: string;
  timeoutMs: number;
  env: Readonly<Record<string, string>>;
}): Provisioner {
  const [executable, ...args] = options.run;
  const fail = (message: string, options: { cause?: unknown; quotesOutside?: boolean } = {}) => new ProvisionerError('command', message, options);

  /** Whether the program can be started: a path that is executable, or a name found on PATH. */
  function findable(program: string): boolean {
    // A path runs relative to `cwd` (the policy folder), so it is looked for there.
    const candidates = program.includes('/') ? [resolve(options.cwd, program)] : (options.env['PATH'] ?? '').split(delimiter).filter((d) => d !== '').map((d) => join(d, program));
    return candidates.some((candidate) => {
      try {
        accessSync(candidate, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  }

  return {
    type: 'command',
    probe: async () => (executable !== undefined && findable(executable) ? [] : [`cannot run ${executable ?? '(nothing)'}: not found or not executable`]),
    apply(event: AccessEvent): Promise<void> {
      if (executable === undefined) return Promise.reject(fail('no program to run'));
      const env = {
        ...options.env,
        JITBOT_ACTION: ACTION_OF[event.type],
        JITBOT_GRANT_ID: event.grant_id,
        JITBOT_REQUEST_ID: event.request_id ?? '',
        JITBOT_EXCEPTION_ID: event.exception_id ?? '',
        JITBOT_RESOURCE: event.resource,
        JITBOT_USER_ID: event.user.slack_id,
        JITBOT_USER_EMAIL: event.user.email ?? '',
        JITBOT_EXPIRES_AT: event.expires_at,
        JITBOT_REVOKE_REASON: event.revoke_reason ?? '',
      };
      return new Promise<void>((resolve, reject) => {
        const child = spawn(executable, args, { cwd: options.cwd, env, shell: false, stdio: ['pipe', 'pipe', 'pipe'] });
        const stderr = tail();
        child.stdout.on('data', () => undefined); // drained so a chatty program never blocks
        child.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
        child.stdin.on('error', () => undefined); // EPIPE: the program did not read stdin
        child.stdin.end(JSON.stringify(event));

        let timedOut = false;
        let killer: NodeJS.Timeout | undefined;
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
          killer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
        }, options.timeoutMs);

        child.on('error', (error: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          const known = error.code === 'ENOENT' ? 'not found' : error.code === 'EACCES' ? 'not executable' : undefined;
          reject(fail(`cannot run ${executable}: ${known ?? quotedFromOutside(error.message)}`, { cause: error, quotesOutside: known === undefined }));
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          clearTimeout(killer);
          if (timedOut) return reject(fail(`${executable} did not finish within ${options.timeoutMs / 1000} s and was stopped`));
          if (code === 0) return resolve();
          const status = code === null ? `was killed by ${signal ?? 'a signal'}` : `exited with code ${code}`;
          const detail = stderr.quoted();
          reject(fail(`${executable} ${status}${detail ? `: ${detail}` : ''}`, { quotesOutside: detail !== '' }));
        });
      });
    },
  };
}
