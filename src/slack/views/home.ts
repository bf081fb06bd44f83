import type { HomeView } from '@slack/web-api';
import type { GrantRow, RequestRow } from '../../store/schema.js';
import { replies } from './replies.js';

export function homeView(pending: readonly RequestRow[], active: readonly GrantRow[], zone: string | undefined): HomeView {
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Your access' } },
      { type: 'section', text: { type: 'mrkdwn', text: replies.list(pending, active, zone) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Ask for access with `/request <resource> <duration> <reason>`.' }] },
    ],
  };
}
