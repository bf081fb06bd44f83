import { approvalStages } from '../domain/approval-chain.js';
import { unworkableApprovals } from '../domain/approval-feasibility.js';
import { breakGlassAskers, breakGlassMax } from '../domain/break-glass-rules.js';
import { compactDuration } from '../domain/duration.js';
import { optOutAskers } from '../domain/opt-out-rules.js';
import { expandPrincipals, securityTeam } from '../domain/principals.js';
import type { Policy } from '../domain/policy.js';

/** Who a list of principals reaches: the people named, and the Slack user groups read live. */
function reach(policy: Policy, principals: readonly string[] | undefined): string {
  if (!principals) return 'anyone in the workspace';
  const { users, usergroups } = expandPrincipals(policy.approver_groups, principals);
  const people = users.size === 1 ? '1 person' : `${users.size} people`;
  const parts = [...(users.size ? [`${people}: ${[...users].sort().join(', ')}`] : []), ...usergroups.map((g) => `everyone in Slack user group ${g}, read live`)];
  return `${principals.join(', ')} (${parts.join('; ')})`;
}

/**
 * `jitbot policy check`: what the YAML means, in words: per resource who may ask, who
 * approves at each stage and whom each notification reaches, and the limits.
 */
export function explainPolicy(policy: Policy): string[] {
  const { settings } = policy;
  const lines = [
    `settings: times in ${settings.timezone} by default; requests lapse after ${compactDuration(settings.pending_timeout)}, at most ${settings.max_pending_per_person} pending per person (${settings.max_pending_per_resource} per resource); sweep every ${compactDuration(settings.reconcile_interval)}; reviews ${settings.review_schedule}`,
    `security team: ${securityTeam(policy).length ? reach(policy, securityTeam(policy)) : 'nobody (set settings.security_team)'}; alerts in ${settings.security_channel ?? "each resource's channel (no security_channel)"}`,
  ];
  for (const [name, r] of Object.entries(policy.resources)) {
    lines.push(`${name}${r.description ? ` — ${r.description}` : ''}`);
    lines.push(`  who may request: ${reach(policy, r.requesters)}`);
    const stages = approvalStages(r);
    stages.forEach((s, i) => {
      const told = i === 0 ? `the approval message in ${r.channel}` : `a reply in its thread mentioning them`;
      lines.push(`  stage ${i + 1} of ${stages.length}: ${s.approvalsRequired} approval(s) from ${reach(policy, s.approvers)}; told by ${told}`);
    });
    lines.push(
      `  limits: up to ${compactDuration(r.max_duration)}${r.default_duration ? ` (default ${compactDuration(r.default_duration)})` : ''}; ` +
        `reason ${r.reason_pattern ? `must match ${r.reason_pattern}` : 'required'}; the requester ${r.self_approval ? 'may approve' : 'never approves'} their own; ` +
        `Approve ${r.confirm_approval ? 'asks for confirmation' : 'counts at once'}`,
    );
    lines.push(
      r.max_extensions > 0
        ? `  extensions: at most ${r.max_extensions} per grant; within ${compactDuration(r.max_duration)} in all at once, longer ones decided by the approvers like a request`
        : '  extensions: none (`max_extensions: 0`)',
    );
    if (r.escalation) lines.push(`  escalation: unanswered after ${compactDuration(r.escalation.after)}, ${reach(policy, r.escalation.to)} may decide too (DM and thread reply)`);
    if (r.break_glass?.allowed) {
      lines.push(`  break-glass: up to ${compactDuration(breakGlassMax(r, r.break_glass))}, by ${reach(policy, breakGlassAskers(r, r.break_glass))}; alert in ${settings.security_channel ?? r.channel}${settings.security_channel && settings.security_channel !== r.channel ? ` and ${r.channel}` : ''}`);
    }
    const optOut = r.opt_out;
    if (optOut?.allowed) {
      lines.push(`  opt-out: ${optOut.mode}, up to ${compactDuration(optOut.max_duration)}; asked by ${reach(policy, optOutAskers(r, optOut))}; approved by ${reach(policy, optOut.approvers)}`);
    }
    lines.push(`  provisioner: ${r.provisioner.type}${r.revoke_unmanaged ? '; access held without a grant is removed' : ''}`);
  }
  return lines;
}

/**
 * What is valid but probably not meant, for `jitbot policy check` (and a log line at start):
 * the policy still runs as written.
 */
export function policyWarnings(policy: Policy): string[] {
  const warnings: string[] = [];
  for (const [name, r] of Object.entries(policy.resources)) {
    for (const finding of unworkableApprovals(policy, name, r)) {
      if (finding.severity === 'warning') warnings.push(`${finding.path.join('.')}: ${finding.message}`);
    }
    const p = r.provisioner;
    if (p.type === 'postgres' && p.login === 'email_localpart' && !p.email_domain) {
      warnings.push(
        `resources.${name}.provisioner: login: email_localpart without email_domain maps an email of any domain to a login: someone whose Slack email is app_devs@anything gets the login app_devs. Set email_domain to your own domain(s).`,
      );
    }
  }
  return warnings;
}
