import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.js';

/** A throwaway redis-server of a test's own, without persistence, that can be stopped and started again. */
export async function startOwnRedis() {
  const port = await freePort();
  let child: ChildProcess | undefined;

  const up = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i += 1) {
      const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined); // refused until the server is up; connect() reports it
      const answered = await probe.connect().then(
        () => probe.ping().then(() => true),
        () => false,
      );
      probe.disconnect();
      if (answered) return;
      await sleep(50);
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };

  const down = async () => {
    // Already stopped: a killed child has a signalCode and no exitCode.
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };

  await up();
  return { url: `redis://127.0.0.1:${port}`, start: up, stop: down };
}
