import type { ArResolvedConfig } from '@ar/config';
import { arImageLocation, type ImageLocation, isLocalLocation, registryImageLocation } from '@ar/core';
import {
  type ArImageRef,
  type ArReference,
  arLocationHost,
  arRepositoryPath,
  classifyRegistryHost,
  formatArReference,
  formatReference,
  parseArImage,
  parseArReference,
  parseArRepository,
  parseDockerRef,
  parseReference,
  projectIdToPath,
  tryParseArResourceName,
} from '@ar/image-ref';
import { ArApiError } from './errors.js';

/** A reference the service may act on: parsed, its host allowed, and the path grants are matched against. */
export interface Target {
  /** Canonical text, handed to @ar/core for Artifact Registry operations and shown in logs. */
  reference: string;
  /** `host[:port]`, lowercase. */
  host: string;
  /** `HOST/PATH` without tag or digest: what grant prefixes are matched against. */
  path: string;
  /** Set for Artifact Registry references. */
  ar: ArReference | undefined;
  tag: string | undefined;
  digest: string | undefined;
}

/** An image target: also where the image is, for copies. */
export interface ImageTarget extends Target {
  location: ImageLocation;
}

/** Artifact Registry Docker hosts: the default of `api.allowedHosts` when the config lists none. */
export const DEFAULT_ALLOWED_HOSTS = ['*-docker.pkg.dev'] as const;

/**
 * `allowedHosts` entries are exact `host[:port]`, or a pattern whose `*` stands for part of one
 * DNS label (never a dot), so `*-docker.pkg.dev` cannot match `evil.com/x-docker.pkg.dev` or
 * `a.b-docker.pkg.dev`.
 */
export function hostMatcher(allowedHosts: readonly string[]): (host: string) => boolean {
  const patterns = (allowedHosts.length > 0 ? allowedHosts : DEFAULT_ALLOWED_HOSTS).map(
    (entry) =>
      new RegExp(
        `^${entry
          .toLowerCase()
          .split('*')
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('[a-z0-9-]*')}$`,
      ),
  );
  return (host) => patterns.some((pattern) => pattern.test(host.toLowerCase()));
}

/**
 * What the service's client may contact besides a registry's configured endpoint (redirect
 * targets, token realms): an allowed host, or the configured endpoint of an allowed registry (the
 * emulator, a mirror). So a registry cannot send the service, or its Google token, anywhere
 * `api.allowedHosts` does not name. (Google credentials also need https and a Google host: that
 * rule is `@ar/registry`'s, whatever the policy says.)
 */
export function contactPolicy(config: Pick<ArResolvedConfig, 'api' | 'registries'>): (url: URL) => boolean {
  const allowed = hostMatcher(config.api.allowedHosts);
  const endpoints = new Set(
    Object.entries(config.registries)
      .filter(([host, settings]) => allowed(host) && settings.endpoint !== undefined)
      .map(([, settings]) => new URL(settings.endpoint as string).origin),
  );
  return (url) => endpoints.has(url.origin) || allowed(url.host);
}

function isArHost(host: string): boolean {
  return classifyRegistryHost(host.toLowerCase()).kind !== 'other';
}

function hostOf(input: string): string {
  return (input.split('/', 1)[0] ?? '').toLowerCase();
}

/** Refuses what the service must never touch before anything is parsed: local files and other hosts. */
function admit(input: string, allowed: (host: string) => boolean, what: string): void {
  if (isLocalLocation(input)) {
    throw new ArApiError(
      'AR_API_LOCATION_NOT_ALLOWED',
      `The ${what} "${input.slice(0, 200)}" is a local location; the service reads and writes registries only. Name an image as HOST/PATH:TAG.`,
    );
  }
  const host = hostOf(input);
  // As Docker reads a name: the first component is a host only when a path follows and it has a
  // dot or a port or is localhost. Anything else is a short name; we never guess its host.
  if (!input.includes('/') || (!/[.:]/.test(host) && host !== 'localhost')) {
    throw new ArApiError(
      'AR_API_INVALID_REQUEST',
      `The ${what} "${input.slice(0, 200)}" names no registry host. Write it in full, e.g. us-west1-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE:TAG.`,
    );
  }
  if (!allowed(host)) {
    throw new ArApiError(
      'AR_API_HOST_NOT_ALLOWED',
      `The ${what} names the registry host "${host.slice(0, 200)}", which this service is not allowed to contact (api.allowedHosts). Use an allowed registry, or ask the operator to allow it.`,
    );
  }
}

function fromAr(ref: ArReference): Target {
  const image = ref.kind === 'image' ? (ref as ArImageRef) : undefined;
  const base = arRepositoryPath(ref);
  return {
    reference: formatArReference(ref),
    host: ref.host,
    path: image ? `${base}/${image.image}` : base,
    ar: ref,
    tag: image?.tag,
    digest: image?.digest,
  };
}

function fromArImage(image: ArImageRef): ImageTarget {
  return { ...fromAr(image), location: arImageLocation(image) };
}

/** An image, in any allowed registry (Artifact Registry names are checked by AR's rules). */
export function imageTarget(
  input: string,
  allowed: (host: string) => boolean,
  what = 'reference',
): ImageTarget {
  admit(input, allowed, what);
  if (isArHost(hostOf(input))) return fromArImage(parseArImage(input));
  const parsed = parseReference(input);
  return {
    reference: formatReference(parsed),
    // As Docker resolves it (docker.io/ubuntu is docker.io/library/ubuntu:latest), as the registry client does.
    location: registryImageLocation(parseDockerRef(input)),
    host: parsed.domain.toLowerCase(),
    path: parsed.name,
    ar: undefined,
    tag: parsed.tag,
    digest: parsed.digest,
  };
}

/**
 * A repository prefix of a recursive copy (`HOST/PATH`, no tag or digest): its host allowed; the
 * caller's grant must cover the whole prefix, so a tree copy reaches only what the caller may.
 */
export function prefixTarget(
  input: string,
  allowed: (host: string) => boolean,
  what: string,
): { path: string } {
  admit(input, allowed, what);
  const path = input.replace(/\/+$/, '');
  if (/[:@]/.test(path.slice(hostOf(path).length)))
    throw new ArApiError(
      'AR_API_INVALID_REQUEST',
      `The ${what} "${input.slice(0, 200)}" of a recursive copy names a tag or digest; write a repository prefix, HOST/PATH.`,
    );
  return { path: `${hostOf(path)}${path.slice(hostOf(path).length)}` };
}

/** An Artifact Registry image (resolve, tag, delete go through the AR facade). */
export function arImageTarget(input: string, allowed: (host: string) => boolean, what = 'reference'): Target {
  admit(input, allowed, what);
  return fromAr(parseArImage(input));
}

/** An Artifact Registry repository, or one image in it (images list). */
export function arListTarget(input: string, allowed: (host: string) => boolean): Target {
  admit(input, allowed, 'repository');
  return fromAr(parseArReference(input));
}

/** An Artifact Registry repository named by its parts (the REST-style path of repositories describe). */
export function arRepositoryTarget(
  location: string,
  project: string,
  repository: string,
  allowed: (host: string) => boolean,
): Target {
  const input = `${arLocationHost(location)}/${projectIdToPath(project)}/${repository}`;
  admit(input, allowed, 'repository');
  return fromAr(parseArRepository(input));
}

/**
 * The registry path grants name (`L-docker.pkg.dev/P/R`) of a repository the REST API names
 * `projects/P/locations/L/repositories/R`; undefined for a name that is not one.
 */
export function repositoryPathOf(resourceName: string): string | undefined {
  const parsed = tryParseArResourceName(resourceName);
  return parsed.ok ? arRepositoryPath(parsed.value) : undefined;
}
