import { parseDockerRef, parseNormalizedNamed } from '@ar/image-ref';

/** A repository in a registry: `us-docker.pkg.dev` + `my-project/my-repo/app`. */
export interface RepositoryRef {
  /** `host[:port]` as written in image names (`docker.io` for Docker Hub). */
  readonly registry: string;
  readonly repository: string;
}

/** An image in a repository, by tag or digest (a digest wins when both are set). */
export interface ImageRef extends RepositoryRef {
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * Parses an image reference as Docker does (`ubuntu` → `docker.io/library/ubuntu:latest`,
 * `127.0.0.1:5000/app@sha256:…`), through `@ar/image-ref`, so every tool of the toolkit agrees on
 * what a name means. Throws ArImageRefError (AR_IMAGE_REF_*) on a bad name.
 */
export function parseImageRef(text: string): ImageRef {
  const parsed = parseDockerRef(text);
  return {
    registry: parsed.domain,
    repository: parsed.path,
    ...(parsed.digest ? { digest: parsed.digest } : parsed.tag ? { tag: parsed.tag } : {}),
  };
}

/** Parses a repository name (`host/path`, no tag or digest required; one given is ignored). */
export function parseRepositoryRef(text: string): RepositoryRef {
  const parsed = parseNormalizedNamed(text);
  return { registry: parsed.domain, repository: parsed.path };
}

export function toImageRef(ref: string | ImageRef): ImageRef {
  return typeof ref === 'string' ? parseImageRef(ref) : ref;
}

/** The tag or digest to put in a URL: the digest when there is one, else the tag, else `latest`. */
export function referenceOf(ref: ImageRef): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

export function formatImageRef(ref: ImageRef): string {
  const base = `${ref.registry}/${ref.repository}`;
  if (ref.digest) return `${base}@${ref.digest}`;
  return `${base}:${ref.tag ?? 'latest'}`;
}

export function formatRepository(ref: RepositoryRef): string {
  return `${ref.registry}/${ref.repository}`;
}
