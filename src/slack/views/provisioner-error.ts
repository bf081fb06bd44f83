import { typedText } from './typed-text.js';

/**
 * A provisioner's error as each audience reads it. Every message that quotes one goes through
 * the function of its audience, so what reaches whom can be narrowed here, in one place.
 */
export const provisionerErrorFor = {
  /** The person whose access it is: DMs, `/request list`, App Home. */
  requester: (error: string): string => typedText(error),
  /** The approval message and its thread in the resource's channel. */
  approvers: (error: string): string => typedText(error),
  /** The security channel and the security review. */
  security: (error: string, max?: number): string => typedText(error, max),
};

/** A failed setup told in a channel (security, or the approval thread), with the error as that channel may read it. */
export function couldNotSetUp(grant: { id: string; userId: string; resource: string }, shownError: string, final: boolean): string {
  const next = final ? 'jitbot has stopped trying.' : 'Retrying cannot fix this; jitbot retries less often.';
  return `⚠️ jitbot could not set up access to *${grant.resource}* for <@${grant.userId}> (grant \`${grant.id}\`): ${shownError}. ${next}`;
}
