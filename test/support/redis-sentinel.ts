import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

export const SENTINEL_MASTER_NAME = 'mymaster';
/** How long a master may be silent before a Sentinel calls it down: short, so a test fails over in seconds. */
const DOWN_AFTER_MS = 1_000;
const FAILOVER_TIMEOUT_MS = 5_000;

/** One question to a Redis (or Sentinel) on the port, with a fresh connection that never retries. */
async function ask(port: number, command: string, ...args: string[]): Promise<unknown> {
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  probe.on('error', () => undefined); // refused while the process starts or after it died; the caller retries
  try {
    await probe.connect();
    return await probe.call(command, ...args);
  } finally {
    probe.disconnect();
  }
}

/** Polls until `check` answers something other than undefined (errors count as not yet). */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`redis-sentinel test setup: ${what} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** `INFO replication` as field → value. */
async function replication(port: number): Promise<Map<string, string>> {
  const text = String(await ask(port, 'INFO', 'replication'));
  return new Map(text.split('\r\n').flatMap((line) => (line.includes(':') ? [line.split(':', 2) as [string, string]] : [])));
}

/**
 * A Redis master, one replica (`--replicaof`) and `sentinelCount` Sentinels monitoring them
 * (quorum 1, down after 1 s), all private processes on free ports with their files in a temp
 * dir. No persistence: a killed master comes back empty, like a lost machine.
 */
export async function startSentinelRedis(options: { sentinelCount?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'jitbot-sentinel-'));
  const children: ChildProcess[] = [];
  const spawnLogged = (command: string, args: string[]) => {
    const child = spawn(command, args, { stdio: 'ignore', cwd: dir });
    children.push(child);
    return child;
  };
  const redisServer = (port: number, ...extra: string[]) =>
    spawnLogged('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra]);

  const killAll = () =>
    Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );

  const masterPort = await freePort();
  const replicaPort = await freePort();
  const sentinelPorts: number[] = [];
  const master = redisServer(masterPort);
  try {
    await until('the master answers', async () => ((await ask(masterPort, 'PING')) === 'PONG' ? true : undefined), 5_000);
    redisServer(replicaPort, '--replicaof', '127.0.0.1', String(masterPort));
    await until('the replica is in sync', async () => ((await replication(replicaPort)).get('master_link_status') === 'up' ? true : undefined), 10_000);

    for (let i = 0; i < (options.sentinelCount ?? 1); i += 1) {
      const port = await freePort();
      const config = join(dir, `sentinel-${port}.conf`);
      // Sentinel rewrites its config file as it learns the topology, so each gets its own writable one.
      writeFileSync(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          'protected-mode no',
          `dir ${dir}`,
          `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${masterPort} 1`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${SENTINEL_MASTER_NAME} ${FAILOVER_TIMEOUT_MS}`,
          `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      spawnLogged('redis-sentinel', [config]);
      sentinelPorts.push(port);
    }
    // A failover needs every Sentinel to know the replica, and a majority of them to know each other.
    for (const port of sentinelPorts) {
      await until(
        `Sentinel ${port} sees the replica and the other Sentinels`,
        async () => {
          const replicas = await ask(port, 'SENTINEL', 'REPLICAS', SENTINEL_MASTER_NAME);
          const others = await ask(port, 'SENTINEL', 'SENTINELS', SENTINEL_MASTER_NAME);
          const knows = Array.isArray(replicas) && replicas.length === 1 && Array.isArray(others) && others.length === sentinelPorts.length - 1;
          return knows ? true : undefined;
        },
        15_000,
      );
    }

  } catch (error) {
    await killAll();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  /** The master's port as the Sentinels report it. */
  const reportedMasterPort = async (): Promise<number> => {
    const address = await ask(sentinelPorts[0] ?? 0, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME);
    return Array.isArray(address) ? Number(address[1]) : NaN;
  };

  return {
    /** REDIS_SENTINELS for the bot. */
    sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
    name: SENTINEL_MASTER_NAME,
    masterUrl: `redis://127.0.0.1:${masterPort}`,
    replicaUrl: `redis://127.0.0.1:${replicaPort}`,
    /** Waits until the replica has every write the master took so far (WAIT on the master). */
    async replicated(): Promise<void> {
      await ask(masterPort, 'WAIT', '1', '2000');
    },
    /**
     * Stops replication without the Sentinels noticing, so what the master takes from now on is
     * lost at a failover (as asynchronous replication loses a master's last writes): the master
     * drops the replica, which cannot sync again (it now sends a password the master does not have).
     */
    async cutReplication(): Promise<void> {
      await ask(replicaPort, 'CONFIG', 'SET', 'masterauth', 'jitbot-test-cut-replication');
      await ask(masterPort, 'CLIENT', 'KILL', 'TYPE', 'replica');
      await until('the replica loses its master', async () => ((await replication(replicaPort)).get('master_link_status') === 'down' ? true : undefined), 5_000);
    },
    /** A planned failover (`SENTINEL FAILOVER`): the master stays up and is demoted to a replica of the promoted one. */
    async failover(): Promise<void> {
      await ask(sentinelPorts[0] ?? 0, 'SENTINEL', 'FAILOVER', SENTINEL_MASTER_NAME);
    },
    /** SIGKILL the master: no shutdown, no last replication. */
    async killMaster(): Promise<void> {
      if (master.exitCode !== null || master.signalCode !== null) return;
      const exited = once(master, 'exit');
      master.kill('SIGKILL');
      await exited;
    },
    /** Waits until the Sentinels name the replica master and it says so itself; the new master's URL. */
    async promoted(timeoutMs = 20_000): Promise<string> {
      await until(
        'the Sentinels promote the replica',
        async () => ((await reportedMasterPort()) === replicaPort && (await replication(replicaPort)).get('role') === 'master' ? true : undefined),
        timeoutMs,
      );
      return `redis://127.0.0.1:${replicaPort}`;
    },
    async stop(): Promise<void> {
      await killAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
