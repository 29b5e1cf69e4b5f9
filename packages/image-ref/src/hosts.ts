/**
 * Which registry a host is, decided strictly by the shape of the whole host name, so look-alikes
 * such as "docker.pkg.dev.evil.com" or "evil-docker.pkg.dev.attacker.io" are never taken for Google
 * (a caller may attach Google credentials on the strength of this answer).
 */
import { isKnownArLocation } from './location-hints.js';
import { CONTAINER_REGISTRY_HOSTS } from './locations.js';

const STANDARD_SUFFIX = '-docker.pkg.dev';
const REGIONAL_PREFIX = 'docker.';
const REGIONAL_SUFFIX = '.rep.pkg.dev';
/** A DNS name, a ":" and a five-digit port. */
const MAX_HOST_LENGTH = 253 + 6;

const PORT = /^[0-9]{1,5}$/;
const HOST_NAME = /^[A-Za-z0-9.-]+$/;
const LOCATION = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;

const CONTAINER_REGISTRY = new Map(CONTAINER_REGISTRY_HOSTS.map((entry) => [entry.host, entry]));

interface HostParts {
  /** The host as given. */
  readonly host: string;
  /** Lowercased, without the port. */
  readonly hostname: string;
  readonly port?: string;
}

export type RegistryHostInfo =
  | (HostParts & {
      /** `LOCATION-docker.pkg.dev`. */
      readonly kind: 'artifact-registry';
      readonly location: string;
      readonly knownLocation: boolean;
    })
  | (HostParts & {
      /** `docker.LOCATION.rep.pkg.dev`. */
      readonly kind: 'artifact-registry-regional';
      readonly location: string;
      readonly knownLocation: boolean;
    })
  | (HostParts & {
      /** `gcr.io`, `us.gcr.io`, `eu.gcr.io`, `asia.gcr.io` or `marketplace.gcr.io`. */
      readonly kind: 'container-registry';
      /** The Artifact Registry location and repository serving this host; absent for Marketplace. */
      readonly arLocation?: string;
      readonly arRepository?: string;
    })
  | { readonly kind: 'other'; readonly host: string };

/**
 * Classifies a registry host such as "us-west1-docker.pkg.dev" or "gcr.io:443". Letters are matched
 * without regard to ASCII case, as DNS does; anything that is not plain ASCII host syntax is "other".
 */
export function classifyRegistryHost(host: string): RegistryHostInfo {
  if (typeof host !== 'string' || host.length === 0 || host.length > MAX_HOST_LENGTH)
    return { kind: 'other', host };
  const colon = host.indexOf(':');
  const name = colon < 0 ? host : host.slice(0, colon);
  const port = colon < 0 ? undefined : host.slice(colon + 1);
  if ((port !== undefined && !PORT.test(port)) || !HOST_NAME.test(name)) return { kind: 'other', host };
  const hostname = name.toLowerCase();
  const info = recognise(host, hostname);
  // Object spread is slow here (it dominated parse time); the port is added only when there is one.
  if (info.kind !== 'other' && port !== undefined) (info as { port?: string }).port = port;
  return info;
}

function recognise(host: string, hostname: string): RegistryHostInfo {
  if (hostname.endsWith(STANDARD_SUFFIX)) {
    const location = hostname.slice(0, -STANDARD_SUFFIX.length);
    if (!isLocationSyntax(location)) return { kind: 'other', host };
    return {
      kind: 'artifact-registry',
      host,
      hostname,
      location,
      knownLocation: isKnownArLocation(location),
    };
  }
  if (hostname.startsWith(REGIONAL_PREFIX) && hostname.endsWith(REGIONAL_SUFFIX)) {
    const location = hostname.slice(REGIONAL_PREFIX.length, -REGIONAL_SUFFIX.length);
    if (!isLocationSyntax(location)) return { kind: 'other', host };
    return {
      kind: 'artifact-registry-regional',
      host,
      hostname,
      location,
      knownLocation: isKnownArLocation(location),
    };
  }
  const registry = CONTAINER_REGISTRY.get(hostname);
  if (registry === undefined) return { kind: 'other', host };
  if (registry.location === undefined || registry.repository === undefined) {
    return { kind: 'container-registry', host, hostname };
  }
  return {
    kind: 'container-registry',
    host,
    hostname,
    arLocation: registry.location,
    arRepository: registry.repository,
  };
}

/** Any gcr.io host is Google's (gcr.io, us.gcr.io, mirror.gcr.io, …); the label check keeps look-alikes out. */
const GCR_HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*gcr\.io$/;

/**
 * True when the host (`host[:port]`, lowercased, port 443 already dropped) is one of Google's
 * registries, so Google credentials may go there: Artifact Registry hosts (`*-docker.pkg.dev`,
 * `docker.*.rep.pkg.dev`) and Container Registry hosts (`gcr.io`, `*.gcr.io`). A Google registry
 * answers on 443 only: any other port means some other server.
 */
export function isGoogleRegistryHost(host: string): boolean {
  if (/:\d+$/.test(host)) return false;
  return classifyRegistryHost(host).kind !== 'other' || GCR_HOST.test(host.toLowerCase());
}

/**
 * The shape of a location name: lowercase letters, digits and inner hyphens, starting with a
 * letter, one DNS label (so never a ".").
 */
export function isLocationSyntax(location: string): boolean {
  return location.length <= 63 && LOCATION.test(location);
}
