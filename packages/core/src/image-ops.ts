import { type ArImageRef, formatArReference, parseArResourceName } from '@ar/image-ref';
import {
  type CopyOptions,
  type CopyResult,
  copy,
  formatPlatform,
  type ImageLocation,
  type ParsedManifest,
  parseManifest,
  type RegistryClient,
} from '@ar/registry';
import type { ReadOptions, UpstreamReads } from './cache/upstream-reads.js';
import { ArCoreError } from './errors.js';
import { arImageRef } from './locations.js';
import { fromRegistryProgress, type TransferProgressListener } from './progress.js';
import { upstreamsByPriority } from './repositories.js';

export type { CopiedImage, CopyResult } from '@ar/registry';

export type TransferOptions = Pick<
  CopyOptions,
  'platform' | 'platforms' | 'allTags' | 'compressLayers' | 'signal' | 'concurrency'
> & { onProgress?: TransferProgressListener };

/** What `gar images describe` shows. */
export interface ImageDescription {
  reference: string;
  digest: string;
  mediaType: string;
  /** `os/arch[/variant]` of each image of an index; one entry for a single image. */
  platforms: string[];
  /** Manifest, config and layers (of every platform, for an index). */
  sizeBytes: number;
  tags: string[];
  created: string | undefined;
  uploaded: string | undefined;
}

/** Why an image resolves where it does in a virtual repository. */
export interface ImageResolution {
  reference: string;
  mode: string;
  /** The repository that serves the image. */
  servedBy: string;
  reason: string;
  digest: string;
  /** Every upstream consulted, highest priority first, and whether it held the image. */
  upstreams: Array<{ id: string | undefined; repository: string; priority: number; holds: boolean }>;
}

/** The image's repository in the registry (`HOST` + `PROJECT/REPOSITORY/IMAGE`), without tag or digest. */
function repositoryOf(image: ArImageRef): { registry: string; repository: string } {
  const { registry, repository } = arImageRef(image);
  return { registry, repository };
}

function sizeOf(manifest: ParsedManifest, raw: number): number {
  if (manifest.kind === 'index') return raw;
  return (
    raw + manifest.manifest.config.size + manifest.manifest.layers.reduce((sum, layer) => sum + layer.size, 0)
  );
}

/** Image operations; reads go through `reads` (direct, or the client's cache), writes straight to `registry`. */
export function imageOps(registry: RegistryClient, reads: UpstreamReads) {
  const describe = async (image: ArImageRef, options: ReadOptions = {}): Promise<ImageDescription> => {
    const reference = formatArReference(image);
    const root = await reads.manifest(arImageRef(image), options);
    const parsed = parseManifest(root);
    let platforms: string[] = [];
    let sizeBytes = sizeOf(parsed, root.bytes.length);
    if (parsed.kind === 'index') {
      const children = parsed.manifest.manifests.filter(
        (child) => child.platform && child.platform.os !== 'unknown',
      );
      platforms = children.map((child) => formatPlatform(child.platform!));
      for (const child of children) {
        const blob = await reads.manifest({ ...repositoryOf(image), digest: child.digest }, options);
        sizeBytes += sizeOf(parseManifest(blob), blob.bytes.length);
      }
    }
    const repo = {
      registry: image.host,
      repository: `${image.project.replace(':', '/')}/${image.repository}/${image.image}`,
    };
    const listed = (await reads.listImages(repo, options).catch(() => [])).find(
      (summary) => summary.digest === root.digest,
    );
    return {
      reference,
      digest: root.digest,
      mediaType: root.mediaType,
      platforms,
      sizeBytes: listed?.sizeBytes ?? sizeBytes,
      tags: [...(listed?.tags ?? [])],
      created: listed?.created?.toISOString(),
      uploaded: listed?.uploaded?.toISOString(),
    };
  };

  return {
    describe,

    /** Any location to any other, with progress in the shared vocabulary. */
    copy(from: ImageLocation, to: ImageLocation, options: TransferOptions = {}): Promise<CopyResult> {
      const { onProgress, ...rest } = options;
      return copy(registry, from, to, {
        ...rest,
        ...(onProgress ? { onProgress: fromRegistryProgress(onProgress) } : {}),
      });
    },

    /**
     * Deletes an image version. A tag deletes only that tag; a digest deletes the version, and
     * refuses while tags point to it unless `deleteTags` (as gcloud does).
     */
    async delete(
      image: ArImageRef,
      options: { deleteTags?: boolean; signal?: AbortSignal } = {},
    ): Promise<{ digest: string; deletedTags: string[] }> {
      const repository = repositoryOf(image);
      const base = `${repository.registry}/${repository.repository}`;
      // What is deleted is what the registry holds now, never a cached answer.
      if (image.tag && !image.digest) {
        const digest = (await describe(image, { fresh: true })).digest;
        await registry.deleteManifest({ ...repository, tag: image.tag });
        return { digest, deletedTags: [image.tag] };
      }
      const { digest, tags } = await describe(image, {
        fresh: true,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (tags.length > 0 && !options.deleteTags) {
        throw new ArCoreError(
          'AR_CORE_IMAGE_TAGGED',
          `${base}@${digest} is tagged ${tags.join(', ')}: a tagged version is deleted only together with its tags.`,
        );
      }
      for (const tag of tags) await registry.deleteManifest({ ...repository, tag });
      await registry.deleteManifest({ ...repository, digest });
      return { digest, deletedTags: tags };
    },

    /**
     * Which repository serves an image: a standard or remote repository itself; a virtual one, its
     * highest-priority upstream that holds the image (AR may pick any among equal priorities).
     */
    async resolve(image: ArImageRef, options: ReadOptions = {}): Promise<ImageResolution> {
      const repository = await reads.repository({ ...image, kind: 'repository' }, options);
      const mode = repository.mode ?? 'STANDARD_REPOSITORY';
      const reference = formatArReference(image);
      if (mode !== 'VIRTUAL_REPOSITORY') {
        const { digest } = await describe(image, options);
        return {
          reference,
          mode,
          servedBy: repository.name,
          reason: `a ${mode.toLowerCase().replace('_', ' ')} serves its own images`,
          digest,
          upstreams: [],
        };
      }
      const upstreams: ImageResolution['upstreams'] = [];
      for (const policy of upstreamsByPriority(repository)) {
        const { tag, digest } = image;
        const upstreamImage: ArImageRef = {
          ...parseArResourceName(policy.repository),
          kind: 'image',
          image: image.image,
          ...(tag !== undefined ? { tag } : {}),
          ...(digest !== undefined ? { digest } : {}),
        };
        const head = await reads.headManifest(arImageRef(upstreamImage), options).catch(() => undefined);
        upstreams.push({
          id: policy.id,
          repository: policy.repository,
          priority: policy.priority,
          holds: head !== undefined,
        });
      }
      const winner = upstreams.find((upstream) => upstream.holds);
      if (!winner) {
        throw new ArCoreError(
          'AR_CORE_NOT_IN_UPSTREAMS',
          `No upstream of ${repository.name} holds ${reference}; consulted ${upstreams.map((u) => `${u.repository} (priority ${u.priority})`).join(', ')}.`,
        );
      }
      const ties = upstreams.filter((u) => u.holds && u.priority === winner.priority && u !== winner);
      const skipped = upstreams.filter((u) => !u.holds && u.priority > winner.priority);
      const reason = [
        `priority ${winner.priority} is the highest among upstreams that hold the image`,
        ...(skipped.length
          ? [`higher-priority ${skipped.map((u) => u.id ?? u.repository).join(', ')} do not hold it`]
          : []),
        ...(ties.length
          ? [
              `${ties.map((u) => u.id ?? u.repository).join(', ')} ha${ties.length > 1 ? 've' : 's'} the same priority and may serve it too`,
            ]
          : []),
      ].join('; ');
      const { digest } = await describe(image, options);
      return { reference, mode, servedBy: winner.repository, reason, digest, upstreams };
    },
  };
}
