import { IANAZone } from 'luxon';
import { z } from 'zod';
import { RESOURCE_NAME } from '../domain/access-rules.js';
import { unworkableApprovals } from '../domain/approval-feasibility.js';
import { compactDuration, DURATION_HINT, parseDuration } from '../domain/duration.js';
import { OPT_OUT_MODES } from '../domain/states.js';
import type { Policy } from '../domain/policy.js';

// YAML reads a bare `0` as a number; it means "no time" (e.g. `expiry_warning: 0` turns warnings off).
const duration = z.preprocess((v) => (v === 0 ? '0' : v), z.string({ error: `expected ${DURATION_HINT}` })).transform((text, ctx) => {
  const parsed = parseDuration(text);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}, got "${text}"` });
    return z.NEVER;
  }
  return parsed;
});

const positiveDuration = duration.refine((d) => d.toMillis() > 0, {
  message: 'expected a duration longer than zero',
});

const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'expected a Slack user ID like U0123ABCD');
const channelId = z
  .string({ error: 'expected a Slack channel ID like C0123ABCD' })
  .regex(/^[CGD][A-Z0-9]{2,}$/, 'expected a Slack channel ID like C0123ABCD');
const usergroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, 'expected a Slack user group ID like S0123ABCD');
/** A user ID, or the name of an entry in `approver_groups`. */
const principal = z.string().min(1, 'expected a user ID or an approver_groups name');
const principals = z.array(principal).min(1, 'expected at least one user ID or group name');

const approverGroup = z.union(
  [z.strictObject({ users: z.array(userId).min(1) }), z.strictObject({ usergroup: usergroupId })],
  { error: 'expected { users: [U…] } or { usergroup: S… }' },
);

const stage = z.strictObject({
  approvers: principals,
  approvals_required: z.number().int().min(1).default(1),
});

const envName = z.string({ error: 'expected an environment variable name' }).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');

const emailDomain = z
  .string({ error: 'expected an email domain like example.com' })
  .regex(/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, 'expected an email domain like example.com (no @)')
  .transform((d) => d.toLowerCase());

const provisioner = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('webhook'),
      url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
      secret_env: envName,
      timeout: positiveDuration.prefault('10s'),
    }),
    z.strictObject({
      type: z.literal('command'),
      run: z.array(z.string().min(1)).min(1, 'expected [executable, ...arguments]'),
      timeout: positiveDuration.prefault('30s'),
      pass_env: z.array(envName).default([]),
    }),
    z.strictObject({
      type: z.literal('postgres'),
      connection_env: envName,
      role: z.string().min(1),
      login: z.union([z.literal('email_localpart'), z.record(userId, z.string().min(1))]),
      /** With `email_localpart`, only emails of these domains map to a login (one or a list). */
      email_domain: z
        .union([emailDomain, z.array(emailDomain).min(1, 'expected at least one email domain')], { error: 'expected an email domain like example.com, or a list of them' })
        .transform((d) => (typeof d === 'string' ? [d] : d))
        .optional(),
      terminate_sessions: z.boolean().default(false),
      valid_until: z.boolean().default(false),
    }),
    z.strictObject({ type: z.literal('slack_usergroup'), usergroup: usergroupId }),
    z.strictObject({
      type: z.literal('module'),
      path: z.string().min(1),
      options: z.record(z.string(), z.unknown()).default({}),
    }),
    z.strictObject({ type: z.literal('none') }),
  ],
  { error: 'expected type: webhook | command | postgres | slack_usergroup | module | none' },
);

const reasonPattern = z.string().refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a valid regular expression' },
);

const resource = z
  .strictObject({
    description: z.string().default(''),
    channel: channelId,
    approvers: principals.optional(),
    approvals_required: z.number().int().min(1).default(1),
    self_approval: z.boolean().default(false),
    requesters: principals.optional(),
    max_duration: positiveDuration,
    default_duration: positiveDuration.optional(),
    reason_pattern: reasonPattern.optional(),
    stages: z.array(stage).min(1).optional(),
    escalation: z.strictObject({ after: positiveDuration, to: principals }).optional(),
    break_glass: z
      .strictObject({
        allowed: z.boolean().default(false),
        eligible: principals.optional(),
        max_duration: positiveDuration.optional(),
      })
      .optional(),
    opt_out: z
      .strictObject({
        allowed: z.boolean().default(false),
        eligible: principals.optional(),
        approvers: principals.optional(),
        max_duration: positiveDuration,
        mode: z.enum(OPT_OUT_MODES).default('auto_approve'),
      })
      .optional(),
    provisioner: provisioner.prefault({ type: 'none' }),
    /** How often a holder may extend a grant within max_duration from the expiry warning. */
    max_extensions: z.number().int().min(0).default(2),
    /** Approve asks for confirmation (Slack's confirm dialog) before it counts. */
    confirm_approval: z.boolean().default(false),
    /** Drift detection removes access found at the provisioner without a grant. */
    revoke_unmanaged: z.boolean().default(false),
  })
  .superRefine((r, ctx) => {
    if (!r.approvers && !r.stages) {
      ctx.addIssue({ code: 'custom', path: ['approvers'], message: 'expected approvers or stages' });
    }
    if (r.default_duration && r.default_duration.toMillis() > r.max_duration.toMillis()) {
      ctx.addIssue({ code: 'custom', path: ['default_duration'], message: `expected at most max_duration (${compactDuration(r.max_duration)}), got ${compactDuration(r.default_duration)}` });
    }
    if (r.provisioner.type === 'postgres' && r.provisioner.email_domain && r.provisioner.login !== 'email_localpart') {
      ctx.addIssue({ code: 'custom', path: ['provisioner', 'email_domain'], message: 'applies only to login: email_localpart (a map names each login itself)' });
    }
    // Nobody may approve their own exception, so an allowed opt-out needs someone named to approve it.
    if (r.opt_out?.allowed && !r.opt_out.approvers) {
      ctx.addIssue({ code: 'custom', path: ['opt_out', 'approvers'], message: 'expected the approvers of opt-out exceptions (e.g. [security]) when allowed is true' });
    }
  });

const settings = z.strictObject({
  timezone: z
    .string()
    .refine((zone) => IANAZone.isValidZone(zone), { message: 'expected an IANA time zone like Europe/Paris' })
    .default('UTC'),
  security_channel: channelId.optional(),
  /** Who runs security reviews and incident revokes; default: the `security` approver group, if there is one. */
  security_team: principals.optional(),
  expiry_warning: duration.prefault('10m'),
  pending_timeout: positiveDuration.prefault('24h'),
  reconcile_interval: positiveDuration.prefault('30s'),
  review_schedule: z.enum(['off', 'daily', 'weekly']).default('weekly'),
  usergroup_cache: duration.prefault('60s'),
  /** Requests one person may have waiting for approval on one resource, and on all together. */
  max_pending_per_resource: z.number().int().min(1).default(5),
  max_pending_per_person: z.number().int().min(1).default(20),
  /** Streams every audit event, in order, to a SIEM (Standard Webhooks signing, retried). */
  audit_webhook: z
    .strictObject({
      url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
      secret_env: envName,
      timeout: positiveDuration.prefault('10s'),
    })
    .optional(),
});

/**
 * Records keyed by names people type: without a prototype, so `constructor` or `__proto__`
 * are unknown names rather than inherited properties.
 */
const namedRecord = <K extends z.ZodType<string>, V extends z.ZodType>(key: K, value: V, error: string) =>
  z.record(key, value, { error }).transform((entries) => Object.assign(Object.create(null) as typeof entries, entries));

const resourceName = z
  .string()
  .regex(RESOURCE_NAME, 'expected a resource name of lowercase letters, digits, . _ -');
const groupName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a group name of letters, digits, . _ -');

export const policySchema = z
  .strictObject({
    settings: settings.prefault({}),
    approver_groups: namedRecord(groupName, approverGroup, 'expected a map of group names to { users } or { usergroup }').prefault({}),
    resources: namedRecord(resourceName, resource, 'expected a map of resource names to resources').refine(
      (r) => Object.keys(r).length > 0,
      { message: 'expected at least one resource' },
    ),
  })
  .superRefine((policy, ctx) => {
    const known = (p: string) => userId.safeParse(p).success || p in policy.approver_groups;
    const check = (list: readonly string[] | undefined, path: (string | number)[]) => {
      list?.forEach((p, i) => {
        if (!known(p)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, i],
            message: `"${p}" is neither a user ID (U…/W…) nor a name in approver_groups`,
          });
        }
      });
    };
    check(policy.settings.security_team, ['settings', 'security_team']);
    for (const [name, r] of Object.entries(policy.resources)) {
      const at = ['resources', name];
      check(r.approvers, [...at, 'approvers']);
      check(r.requesters, [...at, 'requesters']);
      r.stages?.forEach((s, i) => check(s.approvers, [...at, 'stages', i, 'approvers']));
      check(r.escalation?.to, [...at, 'escalation', 'to']);
      check(r.break_glass?.eligible, [...at, 'break_glass', 'eligible']);
      check(r.opt_out?.eligible, [...at, 'opt_out', 'eligible']);
      check(r.opt_out?.approvers, [...at, 'opt_out', 'approvers']);
      for (const { severity, path, message } of unworkableApprovals(policy, name, r)) {
        if (severity === 'error') ctx.addIssue({ code: 'custom', path, message });
      }
    }
  });

/** What the schema parses into is exactly the domain's Policy: `true` here, a compile error if they drift apart. */
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const schemaMatchesDomainPolicy: Exactly<z.output<typeof policySchema>, Policy> = true;
