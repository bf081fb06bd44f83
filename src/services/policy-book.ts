import { parsePolicy, type LoadedPolicy } from '../config/load-policy.js';
import type { Store } from '../store/store.js';
import type { Log } from './ports.js';

/**
 * The rules each request is judged by: those of the policy version it was made under (kept
 * in SQLite), so a reload never changes who may approve a request already waiting.
 */
export function createPolicyBook(deps: { current: () => LoadedPolicy; store: Pick<Store, 'policyText'>; log: Log }) {
  const parsed = new Map<string, LoadedPolicy>();
  return {
    /** That version's rules; the current ones when the version is unknown (made before versions were kept). */
    async of(version: string): Promise<LoadedPolicy> {
      const current = deps.current();
      if (version === current.version) return current;
      const cached = parsed.get(version);
      if (cached) return cached;
      const text = await deps.store.policyText(version);
      if (text === undefined) return current;
      try {
        const loaded = parsePolicy(text, `policy version ${version}`);
        parsed.set(version, loaded);
        return loaded;
      } catch (error) {
        deps.log.warn({ err: error, version }, 'a stored policy version no longer parses; judging by the current policy');
        return current;
      }
    },
  };
}

export type PolicyBook = ReturnType<typeof createPolicyBook>;
