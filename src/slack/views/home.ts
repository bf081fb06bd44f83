import type { HomeView } from '@slack/web-api';
import type { OwnAccess } from '../own-access.js';
import { replies } from './replies.js';

export function homeView(own: OwnAccess, zone: string | undefined): HomeView {
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Your access' } },
      { type: 'section', text: { type: 'mrkdwn', text: replies.list(own, zone) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Ask for access with `/request <resource> <duration> <reason>`.' }] },
    ],
  };
}
