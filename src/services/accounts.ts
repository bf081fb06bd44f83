import { err, ok, type Result } from '../domain/result.js';
import type { Account } from '../provisioners/provisioner.js';
import type { AccountLookup } from './ports.js';

/**
 * Asking for access needs an account to grant: a person whose Slack identity maps to none at
 * the resource's provisioner (no email, another email domain, not in the map) is told at once,
 * rather than approved into a grant that cannot be set up. `profileRead` is false when Slack
 * did not answer, so the email is unknown rather than missing.
 */
export function mappedAccount(accountOf: AccountLookup, resource: string, user: { slack_id: string; email: string | null }, profileRead: boolean): Result<Account> {
  const account = accountOf(resource, user);
  if (account.kind !== 'unmapped') return ok(account);
  if (!profileRead) return err(`jitbot could not read your Slack profile, which ${resource} needs to find your ${account.at} account. Nothing was requested; try again in a minute.`);
  const email = user.email ? `your Slack email is ${user.email}` : 'your Slack profile shows no email';
  return err(`No ${account.at} account on ${resource} maps to you (${email}), so access could not be set up. Nothing was requested; ask whoever owns the access policy to map you in that resource's provisioner.`);
}
