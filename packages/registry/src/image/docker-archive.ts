import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import type { BlobSource } from '../client.js';
import { countBytes, sha256 } from '../digest.js';
import { RegistryError } from '../errors.js';
import {
  type Descriptor,
  encodeManifest,
  type ImageIndex,
  type ImageManifest,
  type ManifestBlob,
  parseManifest,
} from '../manifest.js';
import { MediaType } from '../media-types.js';
import {
  blobPath,
  IMAGE_NAME_ANNOTATION,
  OciLayoutSource,
  REF_NAME_ANNOTATION,
  readLayoutIndex,
} from './oci-layout.js';
import { TarTree } from './tar-tree.js';
import type {
  BlobWriteOptions,
  BlobWriteResult,
  ImageSink,
  ImageSource,
  ManifestWriteOptions,
  SourceReadOptions,
} from './types.js';

/** One entry of a docker-save `manifest.json`. */
interface SaveManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const BLOB_PATH = /^blobs\/sha256\/([a-f0-9]{64})$/;

/**
 * Opens a `docker save` tar as an image source, in place (no extraction). A tar that also holds
 * an OCI layout (docker 25+, and tars this package writes) is read through it, so digests survive
 * a round trip; an older tar is read from manifest.json, and a Docker v2 manifest is made for it.
 * `name` picks an image by its RepoTags entry (`app:1`, `host/app:1`) or tag; default: the only one.
 */
export async function openDockerArchive(path: string, name?: string): Promise<ImageSource> {
  const tree = await TarTree.index(path);
  if ((await tree.has('oci-layout')) && (await tree.has('index.json'))) {
    const index = await readLayoutIndex(tree);
    const match = name
      ? index.manifests.find(
          (m) =>
            m.annotations?.[IMAGE_NAME_ANNOTATION] === name || m.annotations?.[REF_NAME_ANNOTATION] === name,
        )
      : index.manifests.length === 1
        ? index.manifests[0]
        : undefined;
    if (match)
      return new OciLayoutSource(
        tree,
        { digest: match.digest },
        imageNameOf(match.annotations?.[IMAGE_NAME_ANNOTATION]),
      );
  }
  return LegacyDockerArchiveSource.open(tree, name);
}

function imageNameOf(reference: string | undefined): string | undefined {
  if (!reference) return undefined;
  const at = reference.indexOf('@');
  const base = at < 0 ? reference : reference.slice(0, at);
  const colon = base.lastIndexOf(':');
  return colon > base.lastIndexOf('/') ? base.slice(0, colon) : base;
}

class LegacyDockerArchiveSource implements ImageSource {
  readonly verifiesBlobs = false;

  private constructor(
    readonly tree: TarTree,
    readonly manifestBlob: ManifestBlob,
    readonly paths: ReadonlyMap<string, string>,
    readonly imageName: string | undefined,
  ) {}

  static async open(tree: TarTree, name: string | undefined): Promise<LegacyDockerArchiveSource> {
    if (!(await tree.has('manifest.json')))
      throw new RegistryError(
        'AR_REGISTRY_ARCHIVE_INVALID',
        `${tree.path} is not a docker-save tar (no manifest.json). Make it with \`docker save\`.`,
      );
    let entries: SaveManifestEntry[];
    try {
      entries = JSON.parse((await tree.read('manifest.json')).toString('utf8')) as SaveManifestEntry[];
      if (!Array.isArray(entries)) throw new Error('not a list');
    } catch (error) {
      throw new RegistryError('AR_REGISTRY_ARCHIVE_INVALID', `${tree.path}: manifest.json is not valid.`, {
        cause: error,
      });
    }
    const entry = name
      ? entries.find((e) => (e.RepoTags ?? []).some((t) => t === name || t.endsWith(`/${name}`)))
      : entries.length === 1
        ? entries[0]
        : undefined;
    if (!entry) {
      const names = entries.flatMap((e) => e.RepoTags ?? []);
      throw new RegistryError(
        'AR_REGISTRY_ARCHIVE_INVALID',
        `${tree.path} has no image ${name ? `named "${name}"` : 'to choose by default'}; it holds ${entries.length} image(s)${names.length ? `: ${names.join(', ')}` : ''}. Name one (docker-archive:PATH:NAME).`,
      );
    }
    const paths = new Map<string, string>();
    const configBytes = await tree.read(entry.Config);
    const configDigest = sha256(configBytes);
    paths.set(configDigest, entry.Config);
    let diffIds: string[] = [];
    try {
      diffIds =
        (JSON.parse(configBytes.toString('utf8')) as { rootfs?: { diff_ids?: string[] } }).rootfs?.diff_ids ??
        [];
    } catch (error) {
      throw new RegistryError('AR_REGISTRY_ARCHIVE_INVALID', `${tree.path}: the image config is not JSON.`, {
        cause: error,
      });
    }
    const layers: Descriptor[] = [];
    for (const [i, path] of entry.Layers.entries()) {
      const size = await tree.size(path);
      const head = await tree.head(path, 4);
      if (head.subarray(0, 4).equals(ZSTD_MAGIC))
        throw new RegistryError(
          'AR_REGISTRY_UNSUPPORTED_MEDIA_TYPE',
          `${tree.path}: layer ${path} is zstd-compressed, which a Docker v2 manifest cannot describe. Re-save it with gzip or no compression.`,
        );
      const gzip = head.subarray(0, 2).equals(GZIP_MAGIC);
      const named = BLOB_PATH.exec(path)?.[1];
      let digest: string;
      if (named) digest = `sha256:${named}`;
      else if (!gzip && diffIds[i]) digest = diffIds[i];
      else digest = await hashStream(tree.open(path));
      layers.push({ mediaType: gzip ? MediaType.dockerLayerGzip : MediaType.dockerLayer, size, digest });
      paths.set(digest, path);
    }
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.dockerManifest,
      config: { mediaType: MediaType.dockerConfig, size: configBytes.length, digest: configDigest },
      layers,
    };
    const bytes = encodeManifest(manifest);
    return new LegacyDockerArchiveSource(
      tree,
      { bytes, digest: sha256(bytes), mediaType: MediaType.dockerManifest },
      paths,
      imageNameOf(entry.RepoTags?.[0]),
    );
  }

  get description(): string {
    return `docker-archive:${this.tree.path}`;
  }

  async root(): Promise<ManifestBlob> {
    return this.manifestBlob;
  }

  async manifest(descriptor: Descriptor): Promise<ManifestBlob> {
    if (descriptor.digest === this.manifestBlob.digest) return this.manifestBlob;
    throw new RegistryError(
      'AR_REGISTRY_ARCHIVE_INVALID',
      `${this.tree.path} has no manifest ${descriptor.digest}.`,
    );
  }

  async openBlob(descriptor: Descriptor, options: SourceReadOptions = {}): Promise<Readable> {
    const path = this.paths.get(descriptor.digest);
    if (!path)
      throw new RegistryError(
        'AR_REGISTRY_ARCHIVE_INVALID',
        `${this.tree.path} has no blob ${descriptor.digest}.`,
      );
    return countBytes(this.tree.open(path), options.onProgress);
  }

  async close(): Promise<void> {}
}

async function hashStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Writes a `docker save`-style tar that `docker load` and skopeo read: blobs under
 * `blobs/sha256/`, `manifest.json` (Config, RepoTags, Layers), plus `index.json` and `oci-layout`
 * as docker 25+ writes them, so the original manifest and its digest travel too. Layers are stored
 * as they are (compressed), which `docker load` accepts. The tar is written to a temporary file
 * beside the target and renamed at commit.
 */
export class DockerArchiveSink implements ImageSink {
  readonly acceptsIndex = false;
  // A tar is one sequential stream.
  readonly maxConcurrency = 1;
  readonly verifiesBlobs = false;
  readonly #written = new Set<string>();
  readonly #saveManifest: SaveManifestEntry[] = [];
  readonly #index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] };
  readonly #temp: string;
  #pack: tarStream.Pack | undefined;
  #done: Promise<void> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {
    this.#temp = join(dirname(path), `.${basename(path)}.ar-tmp-${randomBytes(6).toString('hex')}`);
  }

  get description(): string {
    return `docker-archive:${this.path}`;
  }

  #open(): tarStream.Pack {
    if (!this.#pack) {
      this.#pack = tarStream.pack();
      this.#done = pipeline(this.#pack, createWriteStream(this.#temp));
      // Surfaced by commit; an early failure must not be an unhandled rejection.
      this.#done.catch(() => {});
    }
    return this.#pack;
  }

  /** Entries are strictly sequential; callers may call concurrently anyway. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }

  writeBlob(
    descriptor: Descriptor,
    source: BlobSource,
    options: BlobWriteOptions = {},
  ): Promise<BlobWriteResult> {
    return this.#serial(async () => {
      if (this.#written.has(descriptor.digest)) return 'exists';
      const pack = this.#open();
      const input = await source.open(options.signal);
      const entry = pack.entry({ ...entryHeader(blobPath(descriptor.digest)), size: descriptor.size });
      await pipeline(input, entry as unknown as NodeJS.WritableStream);
      this.#written.add(descriptor.digest);
      return 'written';
    });
  }

  writeManifest(manifest: ManifestBlob, options: ManifestWriteOptions): Promise<void> {
    return this.#serial(async () => {
      const pack = this.#open();
      if (!this.#written.has(manifest.digest)) {
        pack.entry(entryHeader(blobPath(manifest.digest)), manifest.bytes);
        this.#written.add(manifest.digest);
      }
      if (!options.root) return;
      const parsed = parseManifest(manifest);
      if (parsed.kind !== 'image')
        throw new RegistryError(
          'AR_REGISTRY_INVALID_ARGUMENT',
          'A docker tar holds single-platform images; choose a platform to write an image index to it.',
        );
      const names = (options.tags ?? []).map((tag) => `${options.imageName ?? 'image'}:${tag}`);
      this.#saveManifest.push({
        Config: blobPath(parsed.manifest.config.digest),
        RepoTags: names,
        Layers: parsed.manifest.layers.map((layer) => blobPath(layer.digest)),
      });
      const descriptor = {
        mediaType: manifest.mediaType,
        digest: manifest.digest,
        size: manifest.bytes.length,
      };
      if (names.length === 0) this.#index.manifests.push(descriptor);
      for (const [i, name] of names.entries())
        this.#index.manifests.push({
          ...descriptor,
          annotations: { [IMAGE_NAME_ANNOTATION]: name, [REF_NAME_ANNOTATION]: options.tags?.[i] ?? '' },
        });
    });
  }

  commit(): Promise<void> {
    return this.#serial(async () => {
      const pack = this.#open();
      pack.entry(entryHeader('oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
      pack.entry(entryHeader('index.json'), JSON.stringify(this.#index));
      pack.entry(entryHeader('manifest.json'), JSON.stringify(this.#saveManifest));
      pack.finalize();
      await this.#done;
      await rename(this.#temp, this.path);
    });
  }

  async abort(): Promise<void> {
    this.#pack?.destroy();
    await this.#done?.catch(() => {});
    await rm(this.#temp, { force: true });
  }
}

function entryHeader(name: string): Partial<tarStream.Header> & { name: string } {
  // Fixed metadata keeps the tar reproducible: same image, same bytes.
  return { name, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, type: 'file' };
}
