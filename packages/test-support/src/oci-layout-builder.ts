import { createHash, randomFillSync } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tarStream from 'tar-stream';

export interface LayoutPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface OciLayoutImageOptions {
  /** Size in bytes of the random file in each layer (one layer per entry). Default `[1024]`. */
  layerSizes?: number[];
  /** `oci` (default): OCI manifest/index media types; `docker`: Docker v2 schema 2 / manifest list. */
  format?: 'oci' | 'docker';
  /** Several platforms make an index (manifest list) of one image each. Default: one image, no index. */
  platforms?: LayoutPlatform[];
  /** The `org.opencontainers.image.ref.name` of the root in index.json. */
  tag?: string;
  /**
   * zlib level of the gzip layers. Default 0: stored blocks, so multi-GiB random layers are made
   * at disk speed and still are real gzip (tools sniffing compression do not recompress them).
   * `'none'`: plain tar layers, with the uncompressed layer media types (as `docker save` writes).
   */
  gzipLevel?: number | 'none';
}

export interface BuiltOciImage {
  /** Digest, media type and size of what index.json points to (the index when there are platforms). */
  root: { digest: string; mediaType: string; size: number };
  /** The image manifests (one per platform). */
  manifests: { digest: string; mediaType: string; size: number; platform: LayoutPlatform }[];
  /** Every config and layer blob digest. */
  blobs: string[];
  /** Sum of config and layer sizes. */
  totalBytes: number;
}

const MEDIA = {
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    index: 'application/vnd.oci.image.index.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
    plainLayer: 'application/vnd.oci.image.layer.v1.tar',
  },
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    plainLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  },
} as const;

function digestOf(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Hashes and counts what passes through. */
class Hasher extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

async function writeBlob(dir: string, data: Uint8Array | string): Promise<string> {
  const digest = digestOf(data);
  await writeFile(join(dir, 'blobs', 'sha256', digest.slice(7)), data);
  return digest;
}

/**
 * Streams a layer (a tar holding one file of `size` random bytes, gzipped unless `gzipLevel` is
 * `'none'`) into the layout, in constant memory: returns its digest and size and the uncompressed
 * tar's digest (the diff ID).
 */
async function writeRandomLayer(
  dir: string,
  size: number,
  name: string,
  gzipLevel: number | 'none',
): Promise<{ digest: string; size: number; diffId: string }> {
  const pack = tarStream.pack();
  const uncompressed = new Hasher();
  const compressed = gzipLevel === 'none' ? uncompressed : new Hasher();
  const temp = join(dir, 'blobs', 'sha256', `.tmp-${name}-${process.pid}-${Date.now()}`);
  const written =
    gzipLevel === 'none'
      ? pipeline(pack, uncompressed, createWriteStream(temp))
      : pipeline(pack, uncompressed, createGzip({ level: gzipLevel }), compressed, createWriteStream(temp));
  const entry = pack.entry({ name, size, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, type: 'file' });
  const source = new PassThrough({ highWaterMark: 1 << 20 });
  const fed = pipeline(source, entry as unknown as NodeJS.WritableStream);
  const chunk = Buffer.alloc(1 << 20);
  for (let left = size; left > 0; ) {
    const n = Math.min(left, chunk.length);
    randomFillSync(chunk, 0, n);
    if (!source.write(Buffer.from(chunk.subarray(0, n)))) await new Promise((r) => source.once('drain', r));
    left -= n;
  }
  source.end();
  await fed;
  pack.finalize();
  await written;
  const diffId = `sha256:${uncompressed.hash.digest('hex')}`;
  const digest = compressed === uncompressed ? diffId : `sha256:${compressed.hash.digest('hex')}`;
  await rename(temp, join(dir, 'blobs', 'sha256', digest.slice(7)));
  return { digest, size: compressed.bytes, diffId };
}

/**
 * Writes a random image (or multi-platform index) as an OCI image layout folder, as skopeo and
 * crane write it: `oci-layout`, `index.json`, `blobs/sha256/*`. Layers are real gzip tars of
 * random data, streamed to disk, so a 1 GiB image needs no more memory than a small one.
 */
export async function writeOciLayoutImage(
  dir: string,
  options: OciLayoutImageOptions = {},
): Promise<BuiltOciImage> {
  const media = MEDIA[options.format ?? 'oci'];
  const layerSizes = options.layerSizes ?? [1024];
  const gzipLevel = options.gzipLevel ?? 0;
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const platforms = options.platforms ?? [{ os: 'linux', architecture: 'amd64' }];
  const manifests: BuiltOciImage['manifests'] = [];
  const blobs: string[] = [];
  let totalBytes = 0;
  for (const [p, platform] of platforms.entries()) {
    const layers: { mediaType: string; digest: string; size: number }[] = [];
    const diffIds: string[] = [];
    for (const [i, size] of layerSizes.entries()) {
      const layer = await writeRandomLayer(dir, size, `p${p}-layer${i}.bin`, gzipLevel);
      const mediaType = gzipLevel === 'none' ? media.plainLayer : media.layer;
      layers.push({ mediaType, digest: layer.digest, size: layer.size });
      diffIds.push(layer.diffId);
      blobs.push(layer.digest);
      totalBytes += layer.size;
    }
    const config = JSON.stringify({
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      created: new Date().toISOString(),
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: diffIds.map(() => ({ created_by: 'ar test-support writeOciLayoutImage' })),
    });
    const configDigest = await writeBlob(dir, config);
    blobs.push(configDigest);
    totalBytes += Buffer.byteLength(config);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: media.manifest,
      config: { mediaType: media.config, digest: configDigest, size: Buffer.byteLength(config) },
      layers,
    });
    manifests.push({
      digest: await writeBlob(dir, manifest),
      mediaType: media.manifest,
      size: Buffer.byteLength(manifest),
      platform,
    });
  }
  let root: BuiltOciImage['root'];
  if (options.platforms) {
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: media.index,
      manifests: manifests.map((m) => ({
        mediaType: m.mediaType,
        digest: m.digest,
        size: m.size,
        platform: m.platform,
      })),
    });
    root = { digest: await writeBlob(dir, index), mediaType: media.index, size: Buffer.byteLength(index) };
  } else {
    const only = manifests[0]!;
    root = { digest: only.digest, mediaType: only.mediaType, size: only.size };
  }
  const entry = {
    ...root,
    ...(options.tag ? { annotations: { 'org.opencontainers.image.ref.name': options.tag } } : {}),
  };
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [entry],
    }),
  );
  return { root, manifests, blobs, totalBytes };
}
