import type { App, BlockButtonAction } from '@slack/bolt';
import type { SlackServices } from '../services.js';
import { acknowledgeAction } from './actions/acknowledge-action.js';
import { decisionAction } from './actions/decision-actions.js';
import { cancelAction, extendAction, releaseAction, requestAgainAction } from './actions/own-access-actions.js';
import { reviewAction } from './actions/review-actions.js';
import { requestCommand } from './commands/request-command.js';
import { appHomeOpened } from './events/app-home-opened.js';
import { requestModalSubmission } from './views/request-modal-submission.js';
import { reviewDecisionSubmission } from './views/review-decision-submission.js';
import { extendSubmission } from './views/extend-submission.js';
import { EXTEND_MODAL } from '../views/extend-modal.js';
import { REQUEST_MODAL } from '../views/request-modal.js';
import { REVIEW_DECISION_MODAL } from '../views/review-decision-modal.js';

export function registerListeners(app: App, services: SlackServices): void {
  app.command('/request', requestCommand(services));
  app.action<BlockButtonAction>('approve', decisionAction(services, 'approve'));
  app.action<BlockButtonAction>('deny', decisionAction(services, 'deny'));
  app.action<BlockButtonAction>('acknowledge', acknowledgeAction(services));
  app.action<BlockButtonAction>('extend', extendAction(services));
  app.action<BlockButtonAction>('release', releaseAction(services));
  app.action<BlockButtonAction>('cancel', cancelAction(services));
  app.action<BlockButtonAction>('request_again', requestAgainAction(services));
  app.action<BlockButtonAction>('keep', reviewAction(services, 'keep'));
  app.action<BlockButtonAction>('revoke', reviewAction(services, 'revoke'));
  app.view(REQUEST_MODAL, requestModalSubmission(services));
  app.view(REVIEW_DECISION_MODAL, reviewDecisionSubmission(services));
  app.view(EXTEND_MODAL, extendSubmission(services));
  app.event('app_home_opened', appHomeOpened(services));
}
