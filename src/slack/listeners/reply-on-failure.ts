import { randomBytes } from 'node:crypto';
import type { Log } from '../../services/ports.js';
import type { Reply } from './reply.js';

/**
 * Runs a listener's work after its ack. An unexpected error is logged with a reference and
 * the person is told plainly, instead of the click or command silently doing nothing.
 */
export async function replyOnFailure(reply: Reply, log: Log, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const ref = randomBytes(4).toString('hex');
    log.error({ err: error, ref }, 'listener failed after ack');
    await reply(
      `Something went wrong on jitbot's side (reference \`${ref}\`). Please try again; if it keeps happening, give the reference to whoever runs jitbot.`,
    ).catch((replyError: unknown) => log.warn({ err: replyError, ref }, 'could not tell the user about the failure'));
  }
}
