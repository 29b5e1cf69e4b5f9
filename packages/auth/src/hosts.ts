import type { ArResolvedConfig } from '@ar/config';
import { AR_MULTI_REGIONS, AR_REGIONS, isGoogleRegistryHost } from '@ar/image-ref';

/**
 * Normalises what Docker and users write for a registry into `host[:port]`, lowercased:
 * `https://us-docker.pkg.dev/v2/`, `us-docker.pkg.dev/my-project/repo`, `US-DOCKER.PKG.DEV:443`.
 * Port 443 is dropped, as it is the default and Docker omits it.
 */
export function normalizeRegistryHost(serverUrl: string): string {
  let rest = serverUrl.trim();
  rest = rest.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  rest = rest.split(/[/?#]/, 1)[0] ?? '';
  rest = rest.replace(/^[^@]*@/, '').toLowerCase();
  return rest.endsWith(':443') ? rest.slice(0, -4) : rest;
}

/**
 * True when Google credentials may be sent to this registry: Artifact Registry hosts
 * (`*-docker.pkg.dev`, `docker.*.rep.pkg.dev`), Container Registry hosts (`gcr.io`, `*.gcr.io`),
 * and hosts the config marks `google: true` (the emulator). Decided by pattern on the whole host,
 * so `docker.pkg.dev.evil.com` is not Google's.
 */
export function isGoogleRegistry(
  serverUrl: string,
  config: { registries: Readonly<Record<string, Pick<ArResolvedConfig['registries'][string], 'google'>>> },
): boolean {
  const host = normalizeRegistryHost(serverUrl);
  return config.registries[host]?.google === true || isGoogleRegistryHost(host);
}

/** Every known Artifact Registry Docker host (`gar auth configure-docker --all-locations`). */
export function allArtifactRegistryHosts(): string[] {
  return [...AR_MULTI_REGIONS, ...AR_REGIONS].map((location) => `${location}-docker.pkg.dev`);
}
