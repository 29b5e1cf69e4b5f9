import {
  type ArDefaults,
  type ArImageRef,
  arRepositoryPath,
  completeAnyImage,
  type DockerReference,
} from '@ar/image-ref';
import { type ImageLocation, type ImageRef, isLocalLocation, parseImageLocation } from '@ar/registry';

export { type ImageLocation, isLocalLocation };

/**
 * The registry client's typed reference of an Artifact Registry image, as Docker resolves a name:
 * a digest wins over a tag, and no tag means `latest` (so a pull to a folder keeps that tag).
 */
export function arImageRef(image: ArImageRef): ImageRef {
  return {
    registry: image.host,
    repository: `${arRepositoryPath(image).slice(image.host.length + 1)}/${image.image}`,
    ...(image.digest ? { digest: image.digest } : { tag: image.tag ?? 'latest' }),
  };
}

/** An Artifact Registry image as a location to copy from or to. */
export function arImageLocation(image: ArImageRef): ImageLocation {
  return { kind: 'registry', ref: arImageRef(image) };
}

/** An image in any registry, parsed by @ar/image-ref (`parseReference`), as a location. */
export function registryImageLocation(reference: DockerReference): ImageLocation {
  return {
    kind: 'registry',
    ref: {
      registry: reference.domain,
      repository: reference.path,
      ...(reference.digest ? { digest: reference.digest } : reference.tag ? { tag: reference.tag } : {}),
    },
  };
}

/**
 * A location from what a user wrote: a local one (`oci:DIR[:TAG]`, `docker-archive:FILE`) as the
 * registry client reads it, anything else an image in any registry (`@ar/image-ref`'s
 * `completeAnyImage`: Artifact Registry names completed from `defaults`, others as Docker reads
 * them), with skopeo's `docker://` prefix allowed.
 */
export function userLocation(input: string, defaults: ArDefaults): ImageLocation {
  if (isLocalLocation(input)) return parseImageLocation(input);
  const image = completeAnyImage(input.replace(/^docker:\/\//, ''), defaults);
  return image.kind === 'artifact-registry'
    ? arImageLocation(image.image)
    : registryImageLocation(image.reference);
}
