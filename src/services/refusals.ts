import type { Clock } from '../domain/clock.js';
import { err, type Result } from '../domain/result.js';
import type { AuditEvent } from '../store/store.js';
import type { Store } from '../store/store.js';
import type { Membership } from './membership.js';

/** A refused attempt at something privileged, as the audit log records it. */
export interface Refusal {
  actor: string;
  /** `break_glass.refused`, `revoke.refused`, … */
  action: string;
  subject: { type: AuditEvent['subjectType']; id: string };
  resource?: string | null;
  reason: string;
  details?: Record<string, unknown>;
}

/**
 * Every refusal of something privileged leaves an audit event and nothing else, and tells the
 * person why: one way to do it for every service.
 */
export function createRefusals(deps: { store: Pick<Store, 'recordEvent'>; membership: Pick<Membership, 'securityOnly'>; clock: Clock }) {
  async function refuse<T>(refusal: Refusal, message: string): Promise<Result<T>> {
    await deps.store.recordEvent({
      at: deps.clock.now().toMillis(),
      actor: refusal.actor,
      action: refusal.action,
      subjectType: refusal.subject.type,
      subjectId: refusal.subject.id,
      resource: refusal.resource ?? null,
      reason: refusal.reason,
      ...(refusal.details ? { details: refusal.details } : {}),
    });
    return err(message);
  }

  return {
    refuse,

    /** The security team only (`settings.security_team`); `what` completes "Only the security team may …". */
    async securityOnly(what: string, refusal: Omit<Refusal, 'reason'>): Promise<Result<true>> {
      const allowed = await deps.membership.securityOnly(refusal.actor, what);
      return allowed.ok ? allowed : refuse({ ...refusal, reason: allowed.error.reason }, allowed.error.message);
    },
  };
}
