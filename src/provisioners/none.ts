import type { Provisioner } from './provisioner.js';

/** Records and notifies only: access is managed by hand, jitbot keeps the record and the clock. */
export function createNoneProvisioner(): Provisioner {
  return { type: 'none', apply: async () => undefined };
}
