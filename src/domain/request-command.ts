import { splitMeantLength } from './meant-length.js';
import { parseRevokeAll, type RevokeScope } from './revoke-scope.js';

/** What the text of `/request …` asks for. Pure parsing: no policy, no I/O. */
export type RequestCommand =
  | { kind: 'modal' }
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'release'; target: string }
  | { kind: 'cancel'; requestId: string }
  | { kind: 'revoke'; target: string }
  | { kind: 'review' }
  | { kind: 'revoke-all'; scope: RevokeScope; reason: string }
  | { kind: 'access'; resource: string; durationText: string | undefined; reason: string; emergency: boolean; startText?: string }
  | { kind: 'optout'; resource: string; durationText: string | undefined; reason: string }
  | { kind: 'invalid'; message: string };

const USAGE = 'Try `/request prod-db 30m debugging INC-4211`, or `/request help`.';

function oneArgument(kind: 'release' | 'cancel' | 'revoke', args: string[], what: string): RequestCommand {
  if (args.length !== 1 || !args[0]) {
    return { kind: 'invalid', message: `\`/request ${kind}\` takes one ${what}, e.g. \`/request ${kind} ${kind === 'cancel' ? 'req-7fk2m9qa' : 'grt-7fk2m9qa'}\`.` };
  }
  return kind === 'cancel' ? { kind, requestId: args[0] } : { kind, target: args[0] };
}

/**
 * Splits `<resource> [<duration>] [--emergency] <reason…>`. Whatever was meant as a length
 * (`forever`, `1 hour`, `-5m`, …) is kept as the duration, so it is reported rather than
 * silently becoming part of the reason.
 */
function accessParts(words: string[]) {
  const [resource = '', ...afterResource] = words;
  const { lengthText: durationText, rest: afterDuration } = splitMeantLength(afterResource);
  // Scheduled access: `<duration> at <time> <reason…>`.
  const scheduled = afterDuration[0]?.toLowerCase() === 'at' && afterDuration[1] !== undefined ? afterDuration[1] : undefined;
  const remaining = scheduled === undefined ? afterDuration : afterDuration.slice(2);
  const emergency = remaining.includes('--emergency');
  const reason = remaining.filter((w) => w !== '--emergency').join(' ').trim();
  return { resource: resource.toLowerCase(), durationText, reason, emergency, ...(scheduled === undefined ? {} : { startText: scheduled }) };
}

export function parseRequestCommand(text: string): RequestCommand {
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  const [first, ...args] = words;
  if (first === undefined) return { kind: 'modal' };
  switch (first.toLowerCase()) {
    case 'help':
      return { kind: 'help' };
    case 'list':
      return { kind: 'list' };
    case 'review':
      return { kind: 'review' };
    case 'revoke-all': {
      const parsed = parseRevokeAll(args);
      return parsed.ok ? { kind: 'revoke-all', ...parsed.value } : { kind: 'invalid', message: parsed.error };
    }
    case 'release':
      return oneArgument('release', args, 'grant ID or resource name');
    case 'cancel':
      return oneArgument('cancel', args, 'request ID');
    case 'revoke':
      return oneArgument('revoke', args, 'grant ID or exception ID');
    case 'optout': {
      if (args.length === 0) {
        return { kind: 'invalid', message: 'Say which resource: `/request optout prod-db 2d incident INC-4211`.' };
      }
      const parts = accessParts(args);
      if (parts.startText !== undefined) return { kind: 'invalid', message: 'An opt-out exception starts when it is approved; leave out `at …`.' };
      return { kind: 'optout', resource: parts.resource, durationText: parts.durationText, reason: parts.reason };
    }
    default: {
      if (first.startsWith('-')) return { kind: 'invalid', message: `Start with the resource name. ${USAGE}` };
      const parts = accessParts(words);
      if (parts.emergency && parts.startText !== undefined) {
        return { kind: 'invalid', message: 'Break-glass access starts now; leave out `at …`, or ask without `--emergency` to schedule it.' };
      }
      return { kind: 'access', ...parts };
    }
  }
}
