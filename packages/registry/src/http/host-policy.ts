import { isGoogleRegistryHost } from '@ar/image-ref';

/**
 * Which URLs the client may contact besides a registry's configured endpoint: the targets of
 * redirects that leave the registry's origin, and token realms. `@ar/api` sets it from
 * `api.allowedHosts`; the CLI and library leave it unset (see `redirectAllowed`, `realmAllowed`).
 */
export type HostPolicy = (url: URL) => boolean;

/**
 * Whether the registry's credential is a Google one: a Google registry host (`@ar/image-ref`'s
 * `isGoogleRegistryHost`, the rule `@ar/auth` uses too) or a host the config marks `google: true`
 * (the emulator).
 */
export function isGoogleRegistry(host: string, settings?: { readonly google?: boolean }): boolean {
  return settings?.google === true || isGoogleRegistryHost(host);
}

/**
 * Where a redirect that leaves the request's origin may go (a redirect within the origin is always
 * followed). With a policy, only where it allows. Without one, as Docker does: anywhere, but over
 * https unless the registry itself is plain http, so a redirect never downgrades the transport.
 * Only reads (GET, HEAD) ever leave the origin, and never with a credential: see `redirectLayer`.
 */
export function redirectAllowed(from: URL, to: URL, policy: HostPolicy | undefined): boolean {
  if (policy) return policy(to);
  return to.protocol === 'https:' || (to.protocol === 'http:' && from.protocol === 'http:');
}

/**
 * Where a registry's token realm may be. A realm at the origin of the registry's configured endpoint
 * is its own token service (Artifact Registry's `/v2/token`, the emulator's). Elsewhere, a Google
 * registry's realm must be a Google registry host over https, since the credential sent there is a
 * Google access token; with a policy, the realm must satisfy it too. Other registries' realms
 * (Docker Hub's is auth.docker.io) may be anywhere the policy allows, or anywhere without one.
 */
export function realmAllowed(
  realm: URL,
  registry: { readonly endpoint: URL; readonly google: boolean },
  policy: HostPolicy | undefined,
): boolean {
  if (realm.origin === registry.endpoint.origin) return true;
  if (registry.google && !(realm.protocol === 'https:' && isGoogleRegistry(realm.host))) return false;
  return policy ? policy(realm) : true;
}
