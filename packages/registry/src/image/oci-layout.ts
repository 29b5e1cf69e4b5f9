import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobSource } from '../client.js';
import { assertSupportedDigest, countBytes, digestHex, sha256 } from '../digest.js';
import { RegistryError } from '../errors.js';
import type { Descriptor, ImageIndex, ManifestBlob } from '../manifest.js';
import { MediaType } from '../media-types.js';
import { DirectoryTree, FILE_CHUNK_BYTES, type FileTree } from './file-tree.js';
import type {
  BlobWriteOptions,
  BlobWriteResult,
  ImageSink,
  ImageSource,
  ManifestWriteOptions,
  SourceReadOptions,
} from './types.js';

/** The annotation skopeo, crane, oras and containerd use for a tag in index.json. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
/** containerd / docker 25+ also record the full image name. */
export const IMAGE_NAME_ANNOTATION = 'io.containerd.image.name';

const OCI_LAYOUT_FILE = 'oci-layout';
const OCI_LAYOUT_CONTENT = '{"imageLayoutVersion":"1.0.0"}';

export function blobPath(digest: string): string {
  assertSupportedDigest(digest, 'A blob');
  return `blobs/sha256/${digestHex(digest)}`;
}

export interface LayoutSelector {
  /** The `org.opencontainers.image.ref.name` of the image in index.json. */
  readonly tag?: string;
  readonly digest?: string;
}

/** Reads index.json of a layout (in a folder or a tar). */
export async function readLayoutIndex(tree: FileTree): Promise<ImageIndex> {
  if (!(await tree.has(OCI_LAYOUT_FILE)) || !(await tree.has('index.json')))
    throw new RegistryError(
      'AR_REGISTRY_ARCHIVE_INVALID',
      `${tree.description} is not an OCI image layout (no oci-layout and index.json). Point at a folder written by skopeo, crane, oras or this toolkit.`,
    );
  try {
    const index = JSON.parse((await tree.read('index.json')).toString('utf8')) as ImageIndex;
    if (!Array.isArray(index.manifests)) throw new Error('no manifests list');
    return index;
  } catch (error) {
    throw new RegistryError(
      'AR_REGISTRY_ARCHIVE_INVALID',
      `${tree.description}/index.json is not a valid image index.`,
      {
        cause: error,
      },
    );
  }
}

/** The tags (ref names) an OCI layout holds. */
export async function layoutTags(tree: FileTree): Promise<string[]> {
  const index = await readLayoutIndex(tree);
  return index.manifests
    .map((m) => m.annotations?.[REF_NAME_ANNOTATION])
    .filter((t): t is string => Boolean(t));
}

export class OciLayoutSource implements ImageSource {
  readonly verifiesBlobs = false;

  constructor(
    readonly tree: FileTree,
    readonly selector: LayoutSelector = {},
    readonly imageName?: string,
  ) {}

  static directory(path: string, selector: LayoutSelector = {}): OciLayoutSource {
    return new OciLayoutSource(new DirectoryTree(path), selector);
  }

  get description(): string {
    const { tag, digest } = this.selector;
    return `oci:${this.tree.description}${tag ? `:${tag}` : digest ? `@${digest}` : ''}`;
  }

  async root(): Promise<ManifestBlob> {
    const index = await readLayoutIndex(this.tree);
    const { tag, digest } = this.selector;
    let found: Descriptor | undefined;
    if (digest) found = index.manifests.find((m) => m.digest === digest);
    else if (tag) found = index.manifests.find((m) => m.annotations?.[REF_NAME_ANNOTATION] === tag);
    else if (index.manifests.length === 1) found = index.manifests[0];
    if (!found) {
      const tags = index.manifests.map((m) => m.annotations?.[REF_NAME_ANNOTATION]).filter(Boolean);
      const what = digest ? `digest ${digest}` : tag ? `tag "${tag}"` : 'a single image';
      throw new RegistryError(
        'AR_REGISTRY_ARCHIVE_INVALID',
        `${this.tree.description} has no ${what} in index.json; it holds ${index.manifests.length} manifest(s)` +
          `${tags.length > 0 ? ` tagged ${tags.join(', ')}` : ''}. Name one (oci:PATH:TAG).`,
      );
    }
    return this.manifest(found);
  }

  async manifest(descriptor: Descriptor): Promise<ManifestBlob> {
    const bytes = await this.tree.read(blobPath(descriptor.digest));
    const digest = sha256(bytes);
    if (digest !== descriptor.digest)
      throw new RegistryError(
        'AR_REGISTRY_DIGEST_MISMATCH',
        `${this.tree.description}: manifest ${descriptor.digest} hashes to ${digest}; the layout is corrupt.`,
      );
    return { bytes, digest, mediaType: descriptor.mediaType };
  }

  async openBlob(descriptor: Descriptor, options: SourceReadOptions = {}): Promise<Readable> {
    const path = blobPath(descriptor.digest);
    const size = await this.tree.size(path);
    if (size !== descriptor.size)
      throw new RegistryError(
        'AR_REGISTRY_SIZE_MISMATCH',
        `${this.tree.description}: blob ${descriptor.digest} is ${size} bytes, the manifest says ${descriptor.size}; the layout is corrupt.`,
      );
    return countBytes(this.tree.open(path), options.onProgress);
  }

  async close(): Promise<void> {}
}

/**
 * Writes images into an OCI layout folder. Nothing is visible until `commit`: a new folder is
 * built beside the target and renamed into place; into an existing layout, blobs are staged in a
 * hidden folder inside it, moved into `blobs/` at commit, and index.json is replaced atomically
 * last. `abort` removes the staging area.
 */
export class OciLayoutSink implements ImageSink {
  readonly acceptsIndex = true;
  readonly maxConcurrency = Number.POSITIVE_INFINITY;
  readonly verifiesBlobs = false;
  readonly #entries: Descriptor[] = [];
  readonly #staged = new Set<string>();
  #prepared: Promise<{ existing: boolean; staging: string }> | undefined;

  constructor(readonly path: string) {}

  get description(): string {
    return `oci:${this.path}`;
  }

  #prepare(): Promise<{ existing: boolean; staging: string }> {
    this.#prepared ??= (async () => {
      const suffix = randomBytes(6).toString('hex');
      let existing = false;
      try {
        const info = await stat(this.path);
        if (!info.isDirectory())
          throw new RegistryError(
            'AR_REGISTRY_IO',
            `${this.path} exists and is not a folder; choose another destination.`,
          );
        // An empty folder is replaced by the rename at commit (rename(2) may replace an empty directory).
        if ((await readdir(this.path)).length > 0) {
          await readLayoutIndex(new DirectoryTree(this.path));
          existing = true;
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      const staging = existing
        ? join(this.path, `.ar-staging-${suffix}`)
        : join(dirname(this.path), `.${basename(this.path)}.ar-tmp-${suffix}`);
      await mkdir(join(staging, 'blobs', 'sha256'), { recursive: true });
      return { existing, staging };
    })();
    return this.#prepared;
  }

  async #exists(digest: string): Promise<boolean> {
    const { existing } = await this.#prepare();
    if (this.#staged.has(digest)) return true;
    if (!existing) return false;
    try {
      await stat(join(this.path, blobPath(digest)));
      return true;
    } catch {
      return false;
    }
  }

  async writeBlob(
    descriptor: Descriptor,
    source: BlobSource,
    options: BlobWriteOptions = {},
  ): Promise<BlobWriteResult> {
    if (await this.#exists(descriptor.digest)) return 'exists';
    const { staging } = await this.#prepare();
    const target = join(staging, blobPath(descriptor.digest));
    const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
    try {
      // A buffer of FILE_CHUNK_BYTES lets network chunks (~64 KiB) queue while a write is in
      // flight and go out together in one writev: with the default 16 KiB, each chunk waited for
      // the previous write's round trip through the thread pool and the main thread.
      await pipeline(
        await source.open(options.signal),
        createWriteStream(partial, { highWaterMark: FILE_CHUNK_BYTES }),
        { signal: options.signal },
      );
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    this.#staged.add(descriptor.digest);
    return 'written';
  }

  async writeManifest(manifest: ManifestBlob, options: ManifestWriteOptions): Promise<void> {
    const { staging } = await this.#prepare();
    if (!(await this.#exists(manifest.digest))) {
      await writeFile(join(staging, blobPath(manifest.digest)), manifest.bytes);
      this.#staged.add(manifest.digest);
    }
    if (!options.root) return;
    const descriptor = {
      mediaType: manifest.mediaType,
      digest: manifest.digest,
      size: manifest.bytes.length,
    };
    const tags = options.tags ?? [];
    if (tags.length === 0) this.#entries.push(descriptor);
    for (const tag of tags) {
      const annotations: Record<string, string> = { [REF_NAME_ANNOTATION]: tag };
      if (options.imageName) annotations[IMAGE_NAME_ANNOTATION] = `${options.imageName}:${tag}`;
      this.#entries.push({ ...descriptor, annotations });
    }
  }

  async commit(): Promise<void> {
    const { existing, staging } = await this.#prepare();
    const indexPath = existing ? join(this.path, 'index.json') : join(staging, 'index.json');
    const index: ImageIndex = existing
      ? (JSON.parse(await readFile(indexPath, 'utf8')) as ImageIndex)
      : { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] };
    for (const entry of this.#entries) {
      const tag = entry.annotations?.[REF_NAME_ANNOTATION];
      // A tag names one image, as in skopeo: the new entry replaces the old one.
      index.manifests = index.manifests.filter((m) =>
        tag
          ? m.annotations?.[REF_NAME_ANNOTATION] !== tag
          : m.digest !== entry.digest || m.annotations !== undefined,
      );
      index.manifests.push(entry);
    }
    if (existing) {
      await mkdir(join(this.path, 'blobs', 'sha256'), { recursive: true });
      for (const digest of this.#staged) {
        await rename(join(staging, blobPath(digest)), join(this.path, blobPath(digest)));
      }
      await atomicWrite(indexPath, JSON.stringify(index));
      await rm(staging, { recursive: true, force: true });
    } else {
      await writeFile(join(staging, OCI_LAYOUT_FILE), OCI_LAYOUT_CONTENT);
      await writeFile(indexPath, JSON.stringify(index));
      await rename(staging, this.path);
    }
  }

  async abort(): Promise<void> {
    if (!this.#prepared) return;
    try {
      const { staging } = await this.#prepared;
      await rm(staging, { recursive: true, force: true });
    } catch {
      // Preparing failed: nothing was written.
    }
  }
}

export async function atomicWrite(path: string, content: string | Buffer): Promise<void> {
  const temp = `${path}.ar-tmp-${randomBytes(6).toString('hex')}`;
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
