import type { WebClient } from '@slack/web-api';
import { UsergroupNotFoundError, type UsergroupAdmin } from '../provisioners/slack-usergroup.js';
import { slackErrorCode, withSlackRetry } from './slack-retry.js';

/** Thrown with Slack's own error code, so a provisioning error says what Slack said. */
class SlackCallError extends Error {
  override readonly name = 'SlackCallError';
}

async function call<T>(method: string, run: () => Promise<T>): Promise<T> {
  try {
    return await withSlackRetry(run);
  } catch (error) {
    const code = slackErrorCode(error);
    const message = `${method} failed: ${code ?? String(error)}`;
    throw code === 'no_such_subteam' ? new UsergroupNotFoundError(message, { cause: error }) : new SlackCallError(message, { cause: error });
  }
}

/** The user-group calls of the `slack_usergroup` provisioner (scope `usergroups:write`). */
export function createUsergroupAdmin(client: WebClient): UsergroupAdmin {
  return {
    async state(usergroup) {
      const { users } = await call('usergroups.users.list', () => client.usergroups.users.list({ usergroup, include_disabled: true }));
      const members = users ?? [];
      // Only a group we may have emptied (one member or none listed) can be disabled: look it up then.
      if (members.length > 1) return { members, disabled: false };
      const { usergroups } = await call('usergroups.list', () => client.usergroups.list({ include_disabled: true }));
      const group = usergroups?.find((g) => g.id === usergroup);
      return { members, disabled: (group?.date_delete ?? 0) !== 0 };
    },
    async setMembers(usergroup, users) {
      await call('usergroups.users.update', () => client.usergroups.users.update({ usergroup, users: users.join(',') }));
    },
    async enable(usergroup) {
      await call('usergroups.enable', () => client.usergroups.enable({ usergroup }));
    },
    async disable(usergroup) {
      await call('usergroups.disable', () => client.usergroups.disable({ usergroup }));
    },
  };
}
