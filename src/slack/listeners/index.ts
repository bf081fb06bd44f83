import type { App, BlockButtonAction } from '@slack/bolt';
import type { SlackServices } from '../services.js';
import { decisionAction } from './actions/decision-actions.js';
import { requestCommand } from './commands/request-command.js';
import { appHomeOpened } from './events/app-home-opened.js';
import { requestModalSubmission } from './views/request-modal-submission.js';
import { REQUEST_MODAL } from '../views/request-modal.js';

export function registerListeners(app: App, services: SlackServices): void {
  app.command('/request', requestCommand(services));
  app.action<BlockButtonAction>('approve', decisionAction(services, 'approve'));
  app.action<BlockButtonAction>('deny', decisionAction(services, 'deny'));
  app.view(REQUEST_MODAL, requestModalSubmission(services));
  app.event('app_home_opened', appHomeOpened(services));
}
