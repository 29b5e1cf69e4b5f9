import { createHash, randomBytes } from 'node:crypto';
import tarStream from 'tar-stream';

export interface TarFile {
  name: string;
  data: Uint8Array | string;
  /** Default 0o644. */
  mode?: number;
}

export interface ImageArchiveOptions {
  /** Files of the single layer. Default: `random.bin` with `randomBytes` random bytes. */
  files?: TarFile[];
  /** Size of the default random file. Default 1024. */
  randomBytes?: number;
  /** `RepoTags` of manifest.json (e.g. `['e2e/hello:1']`). Default none: load by image id. */
  repoTags?: string[];
  /** Default: the running machine's (`amd64` on x64). */
  architecture?: string;
  /** Default `linux`. */
  os?: string;
  /** Image creation time and file mtimes. Default: now. */
  created?: Date;
  /** Labels of the image config. */
  labels?: Record<string, string>;
}

/** A `docker save`-format image tarball, and the digests it implies. */
export interface ImageArchive {
  /** The tarball: manifest.json, the config JSON, one layer tar. For `docker load`. */
  tar: Buffer;
  /** `sha256:…` of the config JSON: the image ID docker reports, before and after a push/pull. */
  imageId: string;
  /** The config JSON text. */
  config: string;
  /** The uncompressed layer tar. */
  layer: Buffer;
  /** `sha256:…` of the uncompressed layer: the config's `rootfs.diff_ids[0]`. */
  diffId: string;
  /** The manifest.json text. */
  manifest: string;
}

export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

const ARCHITECTURES: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
};

/** Packs files into an (uncompressed) tar with tar-stream: regular files, uid/gid 0. */
export async function packTar(files: readonly TarFile[], mtime = new Date()): Promise<Buffer> {
  const pack = tarStream.pack();
  const collected = (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  })();
  for (const file of files) {
    const data = typeof file.data === 'string' ? Buffer.from(file.data, 'utf8') : Buffer.from(file.data);
    pack.entry(
      { name: file.name, size: data.length, mode: file.mode ?? 0o644, mtime, uid: 0, gid: 0, type: 'file' },
      data,
    );
  }
  pack.finalize();
  return collected;
}

/**
 * Builds, in memory, a tiny single-layer image in `docker save` format. With the default random
 * file, each call gives a distinct image, so pushes and pulls really move bytes.
 */
export async function buildImageArchive(options: ImageArchiveOptions = {}): Promise<ImageArchive> {
  const created = options.created ?? new Date();
  const files = options.files ?? [{ name: 'random.bin', data: randomBytes(options.randomBytes ?? 1024) }];
  const layer = await packTar(files, created);
  const diffId = sha256Digest(layer);
  const config = JSON.stringify({
    architecture: options.architecture ?? ARCHITECTURES[process.arch] ?? process.arch,
    os: options.os ?? 'linux',
    created: created.toISOString(),
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ...(options.labels === undefined ? {} : { Labels: options.labels }),
    },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: created.toISOString(), created_by: '@ar/test-support buildImageArchive' }],
  });
  const imageId = sha256Digest(config);
  const configName = `${imageId.slice('sha256:'.length)}.json`;
  const layerName = `${diffId.slice('sha256:'.length)}/layer.tar`;
  const manifest = JSON.stringify([
    { Config: configName, RepoTags: options.repoTags ?? null, Layers: [layerName] },
  ]);
  const tar = await packTar(
    [
      { name: configName, data: config },
      { name: layerName, data: layer },
      { name: 'manifest.json', data: manifest },
    ],
    created,
  );
  return { tar, imageId, config, layer, diffId, manifest };
}
