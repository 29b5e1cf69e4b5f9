import { readFileSync } from 'node:fs';
import type { ArResolvedConfig } from '@ar/config';
import { RegistryError } from './errors.js';

/** How to reach one registry: `registries.HOST` of the config model, by the same names. */
export interface RegistryEndpointSettings {
  /** Base URL used instead of `https://HOST`, e.g. `http://127.0.0.1:5000`. */
  readonly endpoint?: string;
  /** Allow plain HTTP and unverified TLS. */
  readonly insecure?: boolean;
  /** PEM bundle trusted for this registry. */
  readonly caFile?: string;
  /** Its credential is a Google one (the emulator): token realms are held to Google's rule. */
  readonly google?: boolean;
}

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\])(?::\d+)?$/;

/**
 * The base URL of a registry. An explicit endpoint wins; loopback hosts speak plain HTTP (as the
 * Docker daemon assumes for 127.0.0.0/8), and so does a host marked `insecure` (Docker's
 * `--insecure-registry`, skopeo's `--tls-verify=false`); Docker Hub's API lives on
 * registry-1.docker.io; every other host is HTTPS. An HTTPS registry with an untrusted certificate
 * takes `caFile`, or `endpoint: https://HOST` with `insecure`.
 */
export function registryBaseUrl(registry: string, settings: RegistryEndpointSettings | undefined): URL {
  if (settings?.endpoint)
    return new URL(settings.endpoint.endsWith('/') ? settings.endpoint : `${settings.endpoint}/`);
  if (registry === 'docker.io') return new URL('https://registry-1.docker.io/');
  if (LOOPBACK.test(registry) || settings?.insecure) return new URL(`http://${registry}/`);
  return new URL(`https://${registry}/`);
}

/** TLS options of the connection pool of one registry. */
export function tlsOptions(
  registry: string,
  settings: RegistryEndpointSettings | undefined,
): { ca?: string; rejectUnauthorized?: boolean } {
  if (!settings) return {};
  const options: { ca?: string; rejectUnauthorized?: boolean } = {};
  if (settings.insecure) options.rejectUnauthorized = false;
  if (settings.caFile) {
    try {
      options.ca = readFileSync(settings.caFile, 'utf8');
    } catch (error) {
      throw new RegistryError(
        'AR_REGISTRY_IO',
        `Cannot read registries."${registry}".caFile ${settings.caFile}: ${(error as Error).message}. Fix the path in the configuration.`,
        { cause: error },
      );
    }
  }
  return options;
}

/** The settings this package reads from the resolved config: `transfer` and `registries`. */
export type RegistryConfig = Pick<ArResolvedConfig, 'transfer' | 'registries'>;
