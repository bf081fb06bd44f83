// A jitbot `module` provisioner for an identity provider with a small REST API:
//   PUT    /groups/<group>/members/<email>   adds a member
//   DELETE /groups/<group>/members/<email>   removes one (404: already gone)
//   GET    /groups/<group>/members           { "members": ["<email>", …] }
//
// policy.yaml:
//   provisioner:
//     type: module
//     path: ./provisioners/http-idp.mjs
//     options: { base_url: https://idp.internal/api/, group: prod-db-admins, token_env: IDP_TOKEN }

/**
 * @param {{ base_url: string, group: string, token_env: string }} options  the policy's `options`
 * @param {{ resource: string, policyDir: string, env: Record<string, string | undefined> }} context
 */
export default function createProvisioner(options, context) {
  const token = context.env[options.token_env];
  if (!token) throw new Error(`environment variable ${options.token_env} is not set`);
  const group = encodeURIComponent(options.group);

  async function call(method, path) {
    const response = await fetch(new URL(path, options.base_url), {
      method,
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok && !(method === 'DELETE' && response.status === 404)) {
      throw new Error(`${method} ${path}: HTTP ${response.status}`);
    }
    return response;
  }
  const member = (identity) => `groups/${group}/members/${encodeURIComponent(identity)}`;
  const identify = (user) => user.email ?? undefined;

  return {
    type: 'http-idp',
    // Grants on any resource using this group cover each other.
    target: `http-idp:${options.group}`,

    // Called for access.grant, access.extend and access.revoke; throw to fail the attempt (it is retried).
    // An error marked `permanent: true` says retrying cannot fix it: told at once, retried less often.
    async apply(event) {
      const identity = identify(event.user);
      if (!identity) throw Object.assign(new Error(`${event.user.slack_id} has no email in Slack`), { permanent: true });
      await call(event.type === 'access.revoke' ? 'DELETE' : 'PUT', member(identity));
    },

    // Optional, for drift detection: who holds the access now, as `identify` names people.
    identify,
    async check() {
      const response = await call('GET', `groups/${group}/members`);
      return (await response.json()).members;
    },
    // Optional, for `revoke_unmanaged: true`.
    async removeUnmanaged(identity) {
      await call('DELETE', member(identity));
    },
    // Optional, for `jitbot policy check --probe`: problems, or [] when all is well.
    async probe() {
      try {
        await call('GET', `groups/${group}/members`);
        return [];
      } catch (error) {
        return [error.message];
      }
    },
  };
}
