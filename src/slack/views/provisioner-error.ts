import { QUOTED_TEXT_LIMIT, redactSecrets } from '../../domain/redact.js';
import { typedText } from './typed-text.js';

/** Where the requester is sent for the why of a failed setup, which they are never shown. */
export const DETAILS_WITH_SECURITY = 'the security team has the details';

/**
 * A provisioner's error as each audience reads it. Every message that quotes one goes through
 * the function of its audience, so what reaches whom can be narrowed here, in one place. The
 * error may quote a receiver, a program or a driver: whoever reads it, it is redacted again.
 */
export const provisionerErrorFor = {
  /**
   * The person whose access it is (DMs, `/request list`, App Home): the grant to ask about, and
   * the error only when it is jitbot's own words (`postgres: login "jdoe" does not exist…`),
   * never text quoted from outside (a receiver's answer, stderr, a driver's message).
   */
  requester: (grantId: string, ownWords?: string): string =>
    ownWords === undefined ? `grant \`${grantId}\`; ${DETAILS_WITH_SECURITY}` : `grant \`${grantId}\`: ${typedText(redactSecrets(ownWords), QUOTED_TEXT_LIMIT)}`,
  /** The approval message and its thread in the resource's channel. */
  approvers: (error: string): string => typedText(redactSecrets(error), QUOTED_TEXT_LIMIT),
  /** The security channel and the security review. */
  security: (error: string, max = QUOTED_TEXT_LIMIT): string => typedText(redactSecrets(error), max),
};

/** A failed setup told in a channel (security, or the approval thread), with the error as that channel may read it. */
export function couldNotSetUp(grant: { id: string; userId: string; resource: string }, shownError: string, final: boolean): string {
  const next = final ? 'jitbot has stopped trying.' : 'Retrying cannot fix this; jitbot retries less often.';
  return `⚠️ jitbot could not set up access to *${grant.resource}* for <@${grant.userId}> (grant \`${grant.id}\`): ${shownError}. ${next}`;
}
