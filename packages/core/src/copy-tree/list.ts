import { type ArRepositoryRef, classifyRegistryHost, parseArRepository } from '@ar/image-ref';
import type { RegistryClient } from '@ar/registry';
import pLimit from 'p-limit';
import { ArCoreError } from '../errors.js';
import type { ImageSummary as ArImageSummary } from '../images.js';
import { isUnderPrefix, type RepositoryPrefix } from './prefix.js';

/** One image (manifest or index) of the source tree, with every tag that names it. */
export interface SourceImage {
  /** The repository path in the source registry (`team/app`). */
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
}

export interface ListOptions {
  /** Untagged versions too, where the source can list them (Artifact Registry, gcr.io). */
  readonly includeUntagged?: boolean;
  /** Repositories listed at once. */
  readonly jobs: number;
  readonly signal?: AbortSignal;
}

/** The Artifact Registry REST listing of one repository (`images.list` of the facade). */
export type ArImageLister = (repository: ArRepositoryRef) => Promise<ArImageSummary[]>;

/**
 * Every image under a prefix, found the way the registry allows: Artifact Registry's REST API
 * (one listing per repository, untagged versions included), the Google tag-list extension's
 * `child` walk on Container Registry (gcr.io), and `/v2/_catalog` plus `tags/list` (each tag
 * resolved by HEAD) on any other registry.
 */
export async function listSourceImages(
  registry: RegistryClient,
  listAr: ArImageLister,
  prefix: RepositoryPrefix,
  options: ListOptions,
): Promise<SourceImage[]> {
  const kind = classifyRegistryHost(prefix.registry).kind;
  const all =
    kind === 'artifact-registry' || kind === 'artifact-registry-regional'
      ? await listArtifactRegistry(listAr, prefix)
      : kind === 'container-registry'
        ? await listGoogleTree(registry, prefix, options)
        : await listCatalog(registry, prefix, options);
  return all
    .filter((image) => isUnderPrefix(prefix, image.repository))
    .filter((image) => options.includeUntagged || image.tags.length > 0)
    .sort((a, b) => a.repository.localeCompare(b.repository) || a.digest.localeCompare(b.digest));
}

async function listArtifactRegistry(listAr: ArImageLister, prefix: RepositoryPrefix): Promise<SourceImage[]> {
  const [project, repository] = prefix.path.split('/');
  if (!project || !repository)
    throw new ArCoreError(
      'AR_CORE_INVALID_PREFIX',
      `${prefix.registry}/${prefix.path} names no repository: an Artifact Registry tree starts at a repository, LOCATION-docker.pkg.dev/PROJECT/REPOSITORY[/PATH].`,
    );
  const rows = await listAr(parseArRepository(`${prefix.registry}/${project}/${repository}`));
  const hostPart = `${prefix.registry}/`;
  return rows.map((row) => ({
    repository: row.image.startsWith(hostPart) ? row.image.slice(hostPart.length) : row.image,
    digest: row.digest,
    tags: row.tags,
  }));
}

/** gcr.io (and AR, which speaks the same extension): `tags/list` names images and child repositories. */
export async function listGoogleTree(
  registry: RegistryClient,
  prefix: RepositoryPrefix,
  options: ListOptions,
): Promise<SourceImage[]> {
  const limit = pLimit(options.jobs);
  const found: SourceImage[] = [];
  const visit = async (repository: string): Promise<void> => {
    const listing = await limit(() =>
      registry.listTags(
        { registry: prefix.registry, repository },
        options.signal ? { signal: options.signal } : {},
      ),
    );
    for (const image of listing.images ?? [])
      found.push({ repository, digest: image.digest, tags: image.tags });
    await Promise.all(listing.children.map((child) => visit(`${repository}/${child}`)));
  };
  await visit(prefix.path);
  return found;
}

async function listCatalog(
  registry: RegistryClient,
  prefix: RepositoryPrefix,
  options: ListOptions,
): Promise<SourceImage[]> {
  const signal = options.signal ? { signal: options.signal } : {};
  const repositories = (await registry.catalog(prefix.registry, signal)).filter((name) =>
    isUnderPrefix(prefix, name),
  );
  const limit = pLimit(options.jobs);
  const listed = await Promise.all(
    repositories.map((repository) =>
      limit(async () =>
        (await registry.listImages({ registry: prefix.registry, repository }, signal)).map((image) => ({
          repository,
          digest: image.digest,
          tags: image.tags,
        })),
      ),
    ),
  );
  return listed.flat();
}
