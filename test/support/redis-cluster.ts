import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

/**
 * A Redis Cluster of one node holding all 16384 slots: enough to hold jitbot to the Cluster's
 * rules (a multi-key command or script over keys of different slots fails with CROSSSLOT).
 */
export async function startOneNodeCluster() {
  const dir = mkdtempSync(join(tmpdir(), 'jitbot-cluster-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-announce-ip', '127.0.0.1', '--cluster-config-file', join(dir, 'nodes.conf'), '--save', '', '--appendonly', 'no', '--dir', dir];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  /** One command on a fresh connection that never retries (refused until the server is up). */
  const ask = async (...args: string[]): Promise<string> => {
    const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return String(await probe.call('CLUSTER', ...args));
    } finally {
      probe.disconnect();
    }
  };
  try {
    let slotsAdded = false;
    for (let i = 0; ; i += 1) {
      if (i > 200) throw new Error(`the one-node cluster on port ${port} did not become ok`);
      try {
        if (!slotsAdded) slotsAdded = (await ask('ADDSLOTSRANGE', '0', '16383')) === 'OK';
        if ((await ask('INFO')).includes('cluster_state:ok')) break;
      } catch {
        // not up yet
      }
      await sleep(50);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: [{ host: '127.0.0.1', port }], stop };
}
