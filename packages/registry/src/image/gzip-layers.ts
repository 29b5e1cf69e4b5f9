import { createHash } from 'node:crypto';
import { pipeline as pipe, type Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGzip } from 'node:zlib';
import { countBytes } from '../digest.js';
import {
  type Descriptor,
  encodeManifest,
  type ManifestBlob,
  manifestBlob,
  parseManifest,
} from '../manifest.js';
import { isManifestMediaType, MediaType } from '../media-types.js';
import type { ImageSource, SourceReadOptions } from './types.js';

/** Uncompressed layer media types, and what they become gzipped. */
const GZIPPED: Readonly<Record<string, string>> = {
  [MediaType.ociLayer]: MediaType.ociLayerGzip,
  [MediaType.dockerLayer]: MediaType.dockerLayerGzip,
};

/**
 * zlib's fastest level, as go-containerregistry (crane) compresses layers: most of the size for a
 * fraction of the time. The same input and level give the same bytes, so a layer compressed again
 * for upload matches the digest its first compression measured (and a re-push finds it there).
 */
const gzip = () => createGzip({ level: constants.Z_BEST_SPEED });

/**
 * `source` with its uncompressed layers (as `docker save` writes them) gzipped, as `docker push`,
 * skopeo and crane store them: the manifests name the compressed layers (new digests, so a new
 * manifest digest), while the config, and so the image ID, stays the same. Each such layer is
 * compressed twice: once to learn its digest and size before the manifest is written, once while
 * it uploads. An index has every child rewritten, even when the copy then takes one platform.
 */
export function gzipLayers(source: ImageSource): ImageSource {
  /** Compressed layer digest → the uncompressed layer it is made from. */
  const origins = new Map<string, Descriptor>();
  /** Rewritten child manifests of an index, by their new digest. */
  const children = new Map<string, ManifestBlob>();

  const compressedDescriptor = async (layer: Descriptor, signal?: AbortSignal): Promise<Descriptor> => {
    const hash = createHash('sha256');
    let size = 0;
    const measure = new Writable({
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        size += chunk.length;
        done();
      },
    });
    await pipeline(await source.openBlob(layer, { signal }), gzip(), measure, { signal });
    const compressed = {
      ...layer,
      mediaType: GZIPPED[layer.mediaType]!,
      digest: `sha256:${hash.digest('hex')}`,
      size,
    };
    origins.set(compressed.digest, layer);
    return compressed;
  };

  const rewrite = async (blob: ManifestBlob, signal?: AbortSignal): Promise<ManifestBlob> => {
    const parsed = parseManifest(blob);
    if (parsed.kind === 'image') {
      const { layers } = parsed.manifest;
      if (!layers.some((layer) => GZIPPED[layer.mediaType])) return blob;
      const compressed = await Promise.all(
        layers.map((layer) => (GZIPPED[layer.mediaType] ? compressedDescriptor(layer, signal) : layer)),
      );
      return manifestBlob(encodeManifest({ ...parsed.manifest, layers: compressed }), blob.mediaType);
    }
    const manifests = await Promise.all(
      parsed.manifest.manifests.map(async (child) => {
        if (!isManifestMediaType(child.mediaType)) return child;
        const original = await source.manifest(child, { signal });
        const next = await rewrite(original, signal);
        if (next.digest === original.digest) return child;
        children.set(next.digest, next);
        return { ...child, digest: next.digest, size: next.bytes.length };
      }),
    );
    if (manifests.every((child, i) => child === parsed.manifest.manifests[i])) return blob;
    return manifestBlob(encodeManifest({ ...parsed.manifest, manifests }), blob.mediaType);
  };

  return {
    description: source.description,
    // The compressed bytes are new: nothing upstream has checked them; the copy does.
    verifiesBlobs: false,
    ...(source.mountableFrom ? { mountableFrom: source.mountableFrom } : {}),
    ...(source.imageName ? { imageName: source.imageName } : {}),
    root: async (options?: SourceReadOptions) => rewrite(await source.root(options), options?.signal),
    manifest: async (descriptor, options) =>
      children.get(descriptor.digest) ?? source.manifest(descriptor, options),
    openBlob: async (descriptor, options) => {
      const origin = origins.get(descriptor.digest);
      if (!origin) return source.openBlob(descriptor, options);
      // Progress counts the gzipped bytes, which the descriptor's size is of.
      const gzipped = pipe(await source.openBlob(origin, { signal: options?.signal }), gzip(), () => {});
      return countBytes(gzipped as Readable, options?.onProgress);
    },
    close: () => source.close(),
  };
}
