import { RegistryError } from './errors.js';
import type { ImageRef } from './reference.js';

/** Where an image lives: a registry, an OCI layout folder, or a docker-save tar. */
export type ImageLocation =
  | { readonly kind: 'registry'; readonly ref: string | ImageRef }
  | { readonly kind: 'oci-layout'; readonly path: string; readonly tag?: string; readonly digest?: string }
  | { readonly kind: 'docker-archive'; readonly path: string; readonly name?: string };

/**
 * skopeo's transports that name something on this machine. This package reads and writes `oci:`
 * and `docker-archive:`; the others are recognised so that no caller mistakes them for an image
 * name (a service that must touch registries only refuses all of them).
 */
const LOCAL_TRANSPORT = /^(oci|docker-archive|oci-archive|dir|docker-daemon|file):/i;

/** True when `text` names a folder, a file or an engine on this machine rather than a registry image. */
export function isLocalLocation(text: string): boolean {
  return LOCAL_TRANSPORT.test(text);
}

/**
 * Parses skopeo's transport syntax: `oci:PATH[:TAG]`, `docker-archive:PATH[:NAME]`,
 * `docker://REF`, or a bare image reference. In `oci:` the tag is after the last `:` only when it
 * contains no `/` (so `oci:/tmp/x` is a path); `oci:PATH@sha256:…` selects by digest.
 */
export function parseImageLocation(text: string): ImageLocation {
  if (text.startsWith('docker://')) return { kind: 'registry', ref: text.slice('docker://'.length) };
  if (text.startsWith('oci:')) {
    const rest = text.slice(4);
    const at = rest.lastIndexOf('@sha256:');
    if (at > 0) return { kind: 'oci-layout', path: rest.slice(0, at), digest: rest.slice(at + 1) };
    const { path, suffix } = splitSuffix(rest);
    return suffix ? { kind: 'oci-layout', path, tag: suffix } : { kind: 'oci-layout', path };
  }
  if (text.startsWith('docker-archive:')) {
    const rest = text.slice('docker-archive:'.length);
    // NAME may itself hold a ":" (app:1): split at the first ":" after the path's last "/".
    const slash = rest.lastIndexOf('/');
    const colon = rest.indexOf(':', slash + 1);
    if (colon > 0) return { kind: 'docker-archive', path: rest.slice(0, colon), name: rest.slice(colon + 1) };
    return { kind: 'docker-archive', path: rest };
  }
  if (isLocalLocation(text))
    throw new RegistryError(
      'AR_REGISTRY_INVALID_ARGUMENT',
      `"${text.slice(0, 200)}" uses the transport "${text.slice(0, text.indexOf(':'))}:", which is not supported: use oci:DIR[:TAG] or docker-archive:FILE.`,
    );
  if (text.length === 0)
    throw new RegistryError('AR_REGISTRY_INVALID_ARGUMENT', 'An image location is empty.');
  return { kind: 'registry', ref: text };
}

function splitSuffix(rest: string): { path: string; suffix?: string } {
  const colon = rest.lastIndexOf(':');
  if (colon <= 0) return { path: rest };
  const suffix = rest.slice(colon + 1);
  if (suffix.includes('/') || suffix === '') return { path: rest };
  return { path: rest.slice(0, colon), suffix };
}
