import type { ArResolvedConfig } from '@ar/config';
import type { ReadCacheOptions } from '@ar/core';

/**
 * `api.cache` as the options of @ar/core's read cache, or undefined when it is turned off. The
 * cache lives in the service's one client, so it only ever holds what the service's own
 * credential was answered; each request is still authenticated and authorized before it reads.
 */
export function readCacheOf(cache: ArResolvedConfig['api']['cache']): ReadCacheOptions | undefined {
  if (!cache.enabled) return undefined;
  return {
    tagTtlMs: cache.tagTtlSeconds * 1000,
    metadataTtlMs: cache.metadataTtlSeconds * 1000,
    manifestBytes: cache.manifestMebibytes * 2 ** 20,
  };
}

/**
 * Whether the caller asked for an answer fresh from upstream: `?fresh=true`, or a request
 * `Cache-Control` of `no-cache` or `max-age=0` (what browsers and curl send to revalidate).
 */
export function wantsFresh(cacheControl: string | undefined, freshParameter: boolean): boolean {
  if (freshParameter) return true;
  return (cacheControl ?? '')
    .toLowerCase()
    .split(',')
    .some((directive) => /^\s*(no-cache|max-age\s*=\s*0)\s*$/.test(directive));
}
