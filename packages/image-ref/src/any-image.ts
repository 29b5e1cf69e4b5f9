/**
 * Images in any registry, named as a user writes them: Artifact Registry names keep their
 * completion from defaults, every other name is read as Docker reads it.
 */
import { type ArImageRef, tryParseArImage } from './artifact-registry.js';
import { type ArDefaults, tryCompleteArImage } from './defaults.js';
import type { DockerReference } from './docker-reference.js';
import { type ImageRefResult, unwrap } from './errors.js';
import { classifyRegistryHost } from './hosts.js';
import { explicitDomain, tryParseDockerRef } from './normalize.js';

export type AnyImageRef =
  | { readonly kind: 'artifact-registry'; readonly image: ArImageRef }
  /** Any other registry, normalized as `docker pull` does (`alpine` → `docker.io/library/alpine:latest`). */
  | { readonly kind: 'other'; readonly reference: DockerReference };

function isArHost(host: string): boolean {
  const kind = classifyRegistryHost(host).kind;
  return kind === 'artifact-registry' || kind === 'artifact-registry-regional';
}

function hasAllDefaults(defaults: ArDefaults): boolean {
  return Boolean(defaults.location && defaults.project && defaults.repository);
}

/**
 * Reads an image in any registry. A name with an Artifact Registry host is parsed (and validated)
 * as one; a name with any other host (`gcr.io/p/app`, `127.0.0.1:5000/team/app:1`) as Docker does.
 * A name without a host (`app:1`) is completed from the defaults when location, project and
 * repository are all set, as before; without them it is a Docker Hub name, as `docker pull` reads it.
 */
export function tryCompleteAnyImage(input: string, defaults: ArDefaults): ImageRefResult<AnyImageRef> {
  const domain = typeof input === 'string' ? explicitDomain(input) : undefined;
  const ar = domain === undefined ? hasAllDefaults(defaults) : isArHost(domain);
  if (ar) {
    const image = domain === undefined ? tryCompleteArImage(input, defaults) : tryParseArImage(input);
    return image.ok ? { ok: true, value: { kind: 'artifact-registry', image: image.value } } : image;
  }
  const reference = tryParseDockerRef(input);
  return reference.ok ? { ok: true, value: { kind: 'other', reference: reference.value } } : reference;
}

/** {@link tryCompleteAnyImage} that throws `ArImageRefError`. */
export function completeAnyImage(input: string, defaults: ArDefaults): AnyImageRef {
  return unwrap(tryCompleteAnyImage(input, defaults));
}
