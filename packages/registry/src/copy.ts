import { pipeline } from 'node:stream';
import type { RegistryClient } from './client.js';
import { DigestVerifier } from './digest.js';
import { RegistryError } from './errors.js';
import { DockerArchiveSink, openDockerArchive } from './image/docker-archive.js';
import { DirectoryTree } from './image/file-tree.js';
import { gzipLayers } from './image/gzip-layers.js';
import { layoutTags, OciLayoutSink, OciLayoutSource } from './image/oci-layout.js';
import { RegistryImageSink, RegistryImageSource } from './image/registry-image.js';
import type { ImageSink, ImageSource } from './image/types.js';
import { type ImageLocation, parseImageLocation } from './location.js';
import {
  type Descriptor,
  encodeManifest,
  hostPlatform,
  type ManifestBlob,
  manifestBlob,
  type ParsedManifest,
  type Platform,
  parseManifest,
  parsePlatform,
  platformMatches,
  selectPlatform,
} from './manifest.js';
import { isManifestMediaType, MediaType } from './media-types.js';
import { runPool } from './pool.js';
import type { ProgressListener } from './progress.js';
import { type ImageRef, toImageRef } from './reference.js';

export interface CopyOptions {
  /** Copy the one image of this platform out of an index (like `docker pull --platform`). */
  readonly platform?: Platform | string;
  /**
   * With an index: `'all'` (default) copies it unchanged, byte for byte; a list keeps only those
   * platforms in a new index (whose digest then differs from the source's).
   */
  readonly platforms?: 'all' | readonly (Platform | string)[];
  /** Copy every tag of the source repository (registry or OCI layout) to the same tags. */
  readonly allTags?: boolean;
  /**
   * Gzip layers stored uncompressed (`docker save` tars, some OCI layouts) on the way, as
   * `docker push`, skopeo and crane do: smaller in the registry, but new layer and manifest
   * digests (the config, and so the image ID, is unchanged). Default false: byte for byte.
   */
  readonly compressLayers?: boolean;
  /** Blobs in flight at once; default the client's `concurrency`. */
  readonly concurrency?: number;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
}

export interface CopiedImage {
  readonly digest: string;
  readonly mediaType: string;
  readonly tags: readonly string[];
  readonly blobs: { readonly written: number; readonly mounted: number; readonly existing: number };
  /** Bytes that actually moved (mounted and existing blobs excluded). */
  readonly bytes: number;
}

export interface CopyResult {
  readonly images: readonly CopiedImage[];
}

/**
 * Copies an image (or index, or every tag) between any two of: a registry, an OCI layout folder, a
 * docker-save tar. Layers stream from source to destination (a registry-to-registry copy never
 * touches disk; within one registry, blobs are mounted). Every blob is in place before any
 * manifest is written, and the root manifest (the tag) last; a folder or tar appears only when
 * everything is written.
 */
export async function copy(
  client: RegistryClient,
  from: ImageLocation | string,
  to: ImageLocation | string,
  options: CopyOptions = {},
): Promise<CopyResult> {
  const src = typeof from === 'string' ? parseImageLocation(from) : from;
  const dst = typeof to === 'string' ? parseImageLocation(to) : to;
  const sink = openSink(client, dst);
  const images: CopiedImage[] = [];
  try {
    const jobs = await planJobs(client, src, dst, options);
    for (const job of jobs) {
      const opened = await openSource(client, job.source);
      const source = options.compressLayers ? gzipLayers(opened) : opened;
      try {
        images.push(await copyImage(source, sink, job.tags, client.concurrency, options));
      } finally {
        await source.close();
      }
    }
    await sink.commit();
  } catch (error) {
    await sink.abort();
    throw error;
  }
  return { images };
}

/** Pushes an image from an OCI layout or docker tar to a registry: `copy` with a familiar name. */
export function push(
  client: RegistryClient,
  from: ImageLocation | string,
  to: string | ImageRef,
  options: CopyOptions = {},
): Promise<CopyResult> {
  return copy(client, from, { kind: 'registry', ref: to }, options);
}

/** Pulls an image from a registry into an OCI layout or docker tar: `copy` with a familiar name. */
export function pull(
  client: RegistryClient,
  from: string | ImageRef,
  to: ImageLocation | string,
  options: CopyOptions = {},
): Promise<CopyResult> {
  return copy(client, { kind: 'registry', ref: from }, to, options);
}

interface CopyJob {
  readonly source: ImageLocation;
  readonly tags: readonly string[];
}

async function planJobs(
  client: RegistryClient,
  src: ImageLocation,
  dst: ImageLocation,
  options: CopyOptions,
): Promise<CopyJob[]> {
  if (options.allTags) {
    let tags: string[];
    if (src.kind === 'registry') {
      const ref = toImageRef(src.ref);
      tags = [...(await client.listTags(ref, { signal: options.signal })).tags];
      return tags.map((tag) => ({
        source: { kind: 'registry', ref: { registry: ref.registry, repository: ref.repository, tag } },
        tags: [tag],
      }));
    }
    if (src.kind === 'oci-layout') {
      tags = await layoutTags(new DirectoryTree(src.path));
      return tags.map((tag) => ({ source: { kind: 'oci-layout', path: src.path, tag }, tags: [tag] }));
    }
    throw new RegistryError(
      'AR_REGISTRY_INVALID_ARGUMENT',
      'Copying all tags needs a registry repository or an OCI layout as the source, not a docker tar.',
    );
  }
  return [{ source: src, tags: destinationTags(src, dst) }];
}

/** The destination's tag; when it names none, the source's (so a pull to a folder keeps the tag). */
function destinationTags(src: ImageLocation, dst: ImageLocation): string[] {
  if (dst.kind === 'registry') {
    const ref = toImageRef(dst.ref);
    return ref.digest ? [] : [ref.tag ?? 'latest'];
  }
  const explicit = dst.kind === 'oci-layout' ? dst.tag : dst.name;
  if (explicit) return [explicit.includes(':') ? explicit.slice(explicit.lastIndexOf(':') + 1) : explicit];
  if (src.kind === 'registry') {
    const ref = toImageRef(src.ref);
    return ref.tag ? [ref.tag] : [];
  }
  if (src.kind === 'oci-layout' && src.tag) return [src.tag];
  return [];
}

async function openSource(client: RegistryClient, location: ImageLocation): Promise<ImageSource> {
  switch (location.kind) {
    case 'registry':
      return new RegistryImageSource(client, toImageRef(location.ref));
    case 'oci-layout':
      return OciLayoutSource.directory(location.path, { tag: location.tag, digest: location.digest });
    case 'docker-archive':
      return openDockerArchive(location.path, location.name);
  }
}

function openSink(client: RegistryClient, location: ImageLocation): ImageSink {
  switch (location.kind) {
    case 'registry': {
      const ref = toImageRef(location.ref);
      return new RegistryImageSink(client, { registry: ref.registry, repository: ref.repository });
    }
    case 'oci-layout':
      return new OciLayoutSink(location.path);
    case 'docker-archive':
      return new DockerArchiveSink(location.path);
  }
}

function toPlatform(p: Platform | string): Platform {
  return typeof p === 'string' ? parsePlatform(p) : p;
}

/** Copies one root manifest and everything it references from `source` to `sink` (no commit). */
export async function copyImage(
  source: ImageSource,
  sink: ImageSink,
  tags: readonly string[],
  defaultConcurrency: number,
  options: CopyOptions = {},
): Promise<CopiedImage> {
  const { signal, onProgress } = options;
  let root = await source.root({ signal });
  let parsed = parseManifest(root);
  if (parsed.kind === 'index') {
    const single = options.platform ?? (sink.acceptsIndex ? undefined : hostPlatform());
    if (single !== undefined) {
      root = await source.manifest(selectPlatform(parsed.manifest, toPlatform(single)), { signal });
      parsed = parseManifest(root);
    } else if (options.platforms && options.platforms !== 'all') {
      const wanted = options.platforms.map(toPlatform);
      const kept = parsed.manifest.manifests.filter((m) =>
        wanted.some((w) => platformMatches(m.platform, w)),
      );
      if (kept.length === 0) selectPlatform(parsed.manifest, wanted[0] ?? hostPlatform());
      root = manifestBlob(encodeManifest({ ...parsed.manifest, manifests: kept }), root.mediaType);
      parsed = parseManifest(root);
    }
  }

  const children: ManifestBlob[] = [];
  const blobs = new Map<string, Descriptor>();
  const visit = async (manifest: ParsedManifest): Promise<void> => {
    if (manifest.kind === 'image') {
      for (const d of [manifest.manifest.config, ...manifest.manifest.layers]) {
        // Foreign (non-distributable) layers stay where their URLs point, as docker and crane do.
        if (d.urls?.length && isForeign(d.mediaType)) continue;
        blobs.set(d.digest, d);
      }
      return;
    }
    for (const child of manifest.manifest.manifests) {
      if (!isManifestMediaType(child.mediaType)) {
        blobs.set(child.digest, child);
        continue;
      }
      const blob = await source.manifest(child, { signal });
      await visit(parseManifest(blob));
      children.push(blob);
    }
  };
  await visit(parsed);

  const list = [...blobs.values()];
  const totalBytes = list.reduce((sum, d) => sum + d.size, 0);
  const done = new Map<string, number>();
  const counts = { written: 0, mounted: 0, existing: 0 };
  let bytesMoved = 0;
  let blobsDone = 0;
  const progressOf = (): number => [...done.values()].reduce((a, b) => a + b, 0);
  const imageEvent = (state: 'transferring' | 'manifests' | 'done' | 'failed') =>
    onProgress?.({
      type: 'image',
      digest: root.digest,
      bytes: progressOf(),
      totalBytes,
      blobsDone,
      blobsTotal: list.length,
      state,
    });
  for (const d of list)
    onProgress?.({
      type: 'blob',
      digest: d.digest,
      mediaType: d.mediaType,
      size: d.size,
      bytes: 0,
      state: 'waiting',
    });
  imageEvent('transferring');

  const mountFrom =
    source.mountableFrom && sink.canMount?.(source.mountableFrom) ? source.mountableFrom : undefined;
  const verify = !source.verifiesBlobs && !sink.verifiesBlobs;
  const concurrency = Math.min(options.concurrency ?? defaultConcurrency, sink.maxConcurrency);
  try {
    await runPool(
      list,
      concurrency,
      async (d, laneSignal) => {
        const blobEvent = (state: 'transferring' | 'exists' | 'mounted' | 'done' | 'failed', bytes: number) =>
          onProgress?.({
            type: 'blob',
            digest: d.digest,
            mediaType: d.mediaType,
            size: d.size,
            bytes,
            state,
          });
        let moved = 0;
        try {
          const result = await sink.writeBlob(
            d,
            {
              open: async (openSignal) => {
                // The source counts (a registry's blob stream does so without another stream).
                const stream = await source.openBlob(d, {
                  signal: openSignal ?? laneSignal,
                  onProgress: onProgress
                    ? (bytes) => {
                        moved = bytes;
                        done.set(d.digest, bytes);
                        blobEvent('transferring', bytes);
                      }
                    : undefined,
                });
                if (!verify) return stream;
                return pipeline(
                  stream,
                  new DigestVerifier(d.digest, d.size, `blob ${d.digest} of ${source.description}`),
                  noop,
                );
              },
            },
            { signal: laneSignal, mountFrom },
          );
          blobsDone++;
          done.set(d.digest, d.size);
          if (result === 'written') {
            counts.written++;
            bytesMoved += d.size;
            blobEvent('done', d.size);
          } else if (result === 'mounted') {
            counts.mounted++;
            blobEvent('mounted', d.size);
          } else {
            counts.existing++;
            blobEvent('exists', d.size);
          }
          imageEvent('transferring');
        } catch (error) {
          blobEvent('failed', moved);
          throw error;
        }
      },
      signal,
    );
    imageEvent('manifests');
    // Children first, the root (which carries the tags) last: a tag never names a half-pushed image.
    for (const child of children) await sink.writeManifest(child, { root: false, signal });
    await sink.writeManifest(root, { root: true, tags, imageName: source.imageName, signal });
  } catch (error) {
    imageEvent('failed');
    throw error;
  }
  imageEvent('done');
  return { digest: root.digest, mediaType: root.mediaType, tags, blobs: counts, bytes: bytesMoved };
}

function isForeign(mediaType: string): boolean {
  return mediaType === MediaType.dockerForeignLayerGzip || mediaType.includes('nondistributable');
}

function noop(): void {}
