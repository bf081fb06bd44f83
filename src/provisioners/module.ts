import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ConfigError } from '../config/errors.js';
import { quotedFromOutside } from '../domain/redact.js';
import { errorMessage } from '../error-message.js';
import { ProvisionerError, type AccessEvent, type Provisioner } from './provisioner.js';

/** Whether a module's error says retrying cannot fix it: `throw Object.assign(new Error('…'), { permanent: true })`. */
const markedPermanent = (error: unknown): boolean => z.object({ permanent: z.literal(true) }).safeParse(error).success;

/** What a module's factory receives besides its `options`. */
export interface ModuleContext {
  /** The resource whose provisioner this is. */
  resource: string;
  /** The folder of the policy file. */
  policyDir: string;
  /** jitbot's environment: where a module reads its own secrets. */
  env: Readonly<Record<string, string | undefined>>;
}

const method = z.custom<(arg?: unknown) => unknown>((v) => typeof v === 'function', 'expected a function');
const moduleShape = z.object({
  apply: method,
  target: z.string().optional(),
  check: method.optional(),
  identify: method.optional(),
  removeUnmanaged: method.optional(),
  probe: method.optional(),
  close: method.optional(),
});
const identities = z.array(z.string());

/**
 * Loads `provisioner: { type: module, path, options }`: the module's default export (or
 * `createProvisioner`) is called with (options, context) and returns an object implementing
 * the Provisioner interface. Its methods are called on that object as it is.
 */
export async function loadModuleProvisioner(args: { at: string; path: string; options: Record<string, unknown>; context: ModuleContext }): Promise<Provisioner> {
  const refuse = (message: string) => new ConfigError(`${args.at}.path: ${message}`);
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(pathToFileURL(args.path).href)) as Record<string, unknown>;
  } catch (error) {
    throw refuse(`cannot load ${args.path} (${errorMessage(error)})`);
  }
  const factory = loaded['default'] ?? loaded['createProvisioner'];
  if (typeof factory !== 'function') throw refuse(`${args.path} must export a default function (options, context) => provisioner`);
  let made: unknown;
  try {
    made = await (factory as (options: unknown, context: unknown) => unknown)(args.options, args.context);
  } catch (error) {
    throw refuse(`${args.path} failed to create its provisioner (${errorMessage(error)})`);
  }
  const parsed = moduleShape.safeParse(made);
  if (!parsed.success) throw refuse(`${args.path} returned no provisioner: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'value'} ${i.message}`).join('; ')}`);
  const m = parsed.data;
  // A module says retrying cannot fix an error by throwing it with `permanent: true`.
  const fail = (error: unknown) =>
    error instanceof ProvisionerError ? error : new ProvisionerError('module', quotedFromOutside(errorMessage(error)), { cause: error, permanent: markedPermanent(error), quotesOutside: true });
  const call = async (fn: (arg?: unknown) => unknown, arg?: unknown) => {
    try {
      return await fn.call(made, arg);
    } catch (error) {
      throw fail(error);
    }
  };
  const { check, identify, removeUnmanaged, probe, close } = m;

  return {
    type: 'module',
    target: m.target,
    apply: async (event: AccessEvent) => void (await call(m.apply, event)),
    ...(check ? { check: async () => identities.parse(await call(check)) } : {}),
    ...(identify
      ? {
          identify: (user: AccessEvent['user']) => {
            const identity: unknown = identify.call(made, user);
            return typeof identity === 'string' ? identity : undefined;
          },
        }
      : {}),
    ...(removeUnmanaged ? { removeUnmanaged: async (identity: string) => void (await call(removeUnmanaged, identity)) } : {}),
    ...(probe ? { probe: async () => identities.parse(await call(probe)) } : {}),
    ...(close ? { close: async () => void (await call(close)) } : {}),
  };
}
