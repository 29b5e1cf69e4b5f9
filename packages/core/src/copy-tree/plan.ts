import type { RegistryClient } from '@ar/registry';
import pLimit from 'p-limit';
import type { SourceImage } from './list.js';
import { mapRepository, type RepositoryPrefix } from './prefix.js';

/** What a run does with one image, and why. */
export interface PlannedImage {
  readonly sourceRepository: string;
  readonly destinationRepository: string;
  readonly digest: string;
  /** Every tag of the image at the source. */
  readonly tags: readonly string[];
  /** The tags the destination lacks or points elsewhere: the ones a copy writes. */
  readonly missingTags: readonly string[];
  readonly action: 'copy' | 'skip';
  readonly reason: string;
}

/** What the destination holds for one image: whether the digest is there, and each tag's digest. */
export interface DestinationState {
  readonly present: boolean;
  readonly tagDigests: ReadonlyMap<string, string | undefined>;
}

/**
 * Copy or skip, from what the destination holds. An image is skipped only when its digest is
 * there and every tag already names it, so a rerun after a crash redoes exactly what is missing;
 * a tag that names another digest is rewritten (the source wins, as in skopeo sync).
 */
export function decide(
  image: SourceImage,
  destinationRepository: string,
  state: DestinationState,
): PlannedImage {
  const missingTags = image.tags.filter((tag) => state.tagDigests.get(tag) !== image.digest);
  const base = {
    sourceRepository: image.repository,
    destinationRepository,
    digest: image.digest,
    tags: image.tags,
    missingTags,
  };
  if (!state.present) return { ...base, action: 'copy', reason: 'not at the destination' };
  if (missingTags.length > 0)
    return {
      ...base,
      action: 'copy',
      reason: `at the destination, but not tagged ${missingTags.join(', ')}`,
    };
  return { ...base, action: 'skip', reason: 'already at the destination with the same digest' };
}

export interface PlanOptions {
  /** HEAD requests at once. */
  readonly jobs: number;
  readonly signal?: AbortSignal;
}

/** A planned image, or the error that kept it from being planned (it then fails; others go on). */
export type PlanEntry =
  | PlannedImage
  | { readonly image: SourceImage; readonly destinationRepository: string; readonly error: unknown };

/** Plans every image: one HEAD for its digest, one per tag, at the destination. Writes nothing. */
export async function planTree(
  registry: RegistryClient,
  images: readonly SourceImage[],
  from: RepositoryPrefix,
  to: RepositoryPrefix,
  options: PlanOptions,
): Promise<PlanEntry[]> {
  const limit = pLimit(options.jobs);
  const signal = options.signal ? { signal: options.signal } : {};
  return Promise.all(
    images.map((image) =>
      limit(async (): Promise<PlanEntry> => {
        const destinationRepository = mapRepository(from, to, image.repository);
        const at = { registry: to.registry, repository: destinationRepository };
        try {
          const present =
            (await registry.headManifest({ ...at, digest: image.digest }, signal)) !== undefined;
          const tagDigests = new Map<string, string | undefined>();
          // Without the digest no tag can name it: no need to ask.
          if (present)
            for (const tag of image.tags)
              tagDigests.set(tag, (await registry.headManifest({ ...at, tag }, signal))?.digest);
          return decide(image, destinationRepository, { present, tagDigests });
        } catch (error) {
          return { image, destinationRepository, error };
        }
      }),
    ),
  );
}
