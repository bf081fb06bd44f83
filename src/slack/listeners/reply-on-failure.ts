import { randomBytes } from 'node:crypto';
import type { RespondFn } from '@slack/bolt';
import type { Log } from '../../services/ports.js';

/**
 * Runs a listener's work after its ack. An unexpected error is logged with a reference and
 * the person is told plainly, instead of the click or command silently doing nothing.
 */
export async function replyOnFailure(respond: RespondFn, log: Log, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const ref = randomBytes(4).toString('hex');
    log.error({ err: error, ref }, 'listener failed after ack');
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      text: `Something went wrong on jitbot's side (reference \`${ref}\`). Please try again; if it keeps happening, give the reference to whoever runs jitbot.`,
    }).catch((respondError: unknown) => log.warn({ err: respondError, ref }, 'could not tell the user about the failure'));
  }
}
