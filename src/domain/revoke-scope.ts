import { RESOURCE_NAME } from './access-rules.js';
import { err, ok, type Result } from './result.js';

/** What an incident revoke-all takes away: one resource's access, one person's, or everyone's. */
export type RevokeScope = { kind: 'resource'; resource: string } | { kind: 'user'; userId: string } | { kind: 'all' };

export const USAGE = '`revoke-all --resource <name> | --user <@person or U…> | --all <reason…>`';

/** A Slack mention `<@U123|name>` or a bare user ID. */
const userIdOf = (word: string) => /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word)?.[1] ?? (/^[UW][A-Z0-9]{2,}$/.test(word) ? word : undefined);

/** Reads `--resource R | --user U | --all` and a reason from the words after `revoke-all`. */
export function parseRevokeAll(words: readonly string[]): Result<{ scope: RevokeScope; reason: string }> {
  const [flag, ...rest] = words;
  let scope: RevokeScope;
  let reasonWords: readonly string[];
  if (flag === '--all') {
    scope = { kind: 'all' };
    reasonWords = rest;
  } else if (flag === '--resource' || flag === '--user') {
    const [target, ...more] = rest;
    if (target === undefined) return err(`Say which ${flag.slice(2)}: ${USAGE}.`);
    if (flag === '--resource') {
      const resource = target.toLowerCase();
      if (!RESOURCE_NAME.test(resource)) return err(`"${target}" is not a resource name (lowercase letters, digits, . _ -). ${USAGE}.`);
      scope = { kind: 'resource', resource };
    } else {
      const userId = userIdOf(target);
      if (!userId) return err(`"${target}" is not a Slack user: mention them (@name) or give their ID (U…). ${USAGE}.`);
      scope = { kind: 'user', userId };
    }
    reasonWords = more;
  } else {
    return err(`Say what to revoke: ${USAGE}.`);
  }
  const reason = reasonWords.join(' ').replace(/^--reason\s*/, '').trim();
  if (reason === '') return err(`Say why (it goes into the audit log): ${USAGE}.`);
  return ok({ scope, reason });
}

export const describeScope = (scope: RevokeScope): string =>
  scope.kind === 'all' ? 'all access' : scope.kind === 'resource' ? `all access to ${scope.resource}` : `all access of <@${scope.userId}>`;
