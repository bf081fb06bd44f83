import { randomBytes } from 'node:crypto';
import type { Log } from '../../services/ports.js';
import type { SlackServices } from '../services.js';
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

/**
 * The work a command or click sets off, after its ack, as a follow-up: a few run at a time, so
 * under a burst the requests still coming in are acked first. (Opening a modal is not a
 * follow-up: its trigger_id expires 3 s after the click.)
 */
export function followUp(services: Pick<SlackServices, 'followUps' | 'log'>, reply: Reply, work: () => Promise<void>): void {
  services.followUps.send(() => replyOnFailure(reply, services.log, work));
}
