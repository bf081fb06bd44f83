import type { ModalView } from '@slack/web-api';
import { z } from 'zod';
import { REVIEW_DECISIONS, type ReviewDecision } from '../../domain/states.js';
import type { ReviewDecisionRecord } from '../../domain/records.js';
import { mrkdwn } from './approval-message.js';

export const REVIEW_DECISION_MODAL = 'review_decision';
export const NOTE_BLOCK = 'note';

/** What the modal is about, carried in its private_metadata from the click to the submission. */
export const reviewDecisionTarget = z.object({
  reviewId: z.string().regex(/^rev-[0-9a-z]+$/),
  subjectId: z.string().min(1),
  decision: z.enum(REVIEW_DECISIONS),
});
export type ReviewDecisionTarget = z.infer<typeof reviewDecisionTarget>;

const plain = (text: string) => ({ type: 'plain_text' as const, text });

const WORDS: Record<ReviewDecision, { title: string; submit: string; question: string }> = {
  keep: { title: 'Keep access', submit: 'Keep', question: 'Keep' },
  revoke: { title: 'Revoke access', submit: 'Revoke now', question: 'Revoke' },
};

/** Keep / Revoke asks for a note (why it is kept, why it goes): the review record is audit evidence. */
export function reviewDecisionModal(target: ReviewDecisionTarget): ModalView {
  const words = WORDS[target.decision];
  return {
    type: 'modal',
    callback_id: REVIEW_DECISION_MODAL,
    private_metadata: JSON.stringify(target),
    title: plain(words.title),
    submit: plain(words.submit),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `${words.question} \`${target.subjectId}\` (security review \`${target.reviewId}\`)?${target.decision === 'revoke' ? ' Access ends at once.' : ''}`,
        ),
      },
      {
        type: 'input',
        block_id: NOTE_BLOCK,
        optional: true,
        label: plain('Note for the review record'),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 500 },
      },
    ],
  };
}

/** What the modal shows once the decision is recorded. */
/** The form once the decision is recorded; `revokeProblem` when the revocation itself failed. */
export function reviewDecisionDone(decision: Pick<ReviewDecisionRecord, 'decision' | 'subjectId'>, revokeProblem: string | undefined): ModalView {
  const done = `Recorded: \`${decision.subjectId}\` is ${decision.decision === 'keep' ? 'kept' : 'revoked'}.`;
  const text = revokeProblem ? `${done} The revocation itself did not go through: ${revokeProblem}` : done;
  return { type: 'modal', title: plain('Security review'), close: plain('Close'), blocks: [{ type: 'section', text: mrkdwn(text) }] };
}
