import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { tryParseArResourceName } from '@ar/image-ref';
import { repositoryResource } from '../auth/access.js';
import { EmulatorError } from '../errors.js';
import { DIGEST, TAG } from '../names.js';
import type { BlobStore } from '../store/blob-store.js';
import type { ManifestRecord, MetadataStore, RepositoryRecord } from '../store/metadata.js';
import { MAX_MANIFEST_BYTES, type ParsedManifest, parseManifest } from './manifests.js';
import { UpstreamClient } from './upstream.js';

export interface ServedManifest {
  record: ManifestRecord;
  /** The repository that holds it: the one asked, or for a virtual repository the upstream that served. */
  servedBy: RepositoryRecord;
}

export interface ServedBlob {
  digest: string;
  size: number;
  servedBy: RepositoryRecord;
}

/**
 * Artifact Registry's own words when a tag may not change (kaniko and release scripts match on
 * them), in registry and REST answers alike.
 */
export const TAG_IMMUTABILITY = 'The repository has enabled tag immutability';

/** Virtual repositories may not nest deeper than this (AR allows none; the guard stops cycles). */
const MAX_VIRTUAL_DEPTH = 4;

/**
 * Images in repositories: the AR rules (monolithic blobs, manifests only over present content,
 * immutable tags) and the remote / virtual resolution, independent of HTTP.
 */
export class Artifacts {
  readonly #upstreams = new Map<number, UpstreamClient>();
  readonly #inflight = new Map<string, Promise<unknown>>();

  constructor(
    readonly store: MetadataStore,
    readonly blobs: BlobStore,
    private readonly now: () => number,
  ) {}

  repositoryByResource(resource: string): RepositoryRecord | undefined {
    const parsed = tryParseArResourceName(resource);
    if (!parsed.ok || parsed.value.kind !== 'repository') return undefined;
    const { project, location, repository } = parsed.value;
    return this.store.repository(project, location, repository);
  }

  // Blobs

  /** Links a verified blob into a repository. */
  linkBlob(repo: RepositoryRecord, digest: string, size: number): void {
    this.store.linkBlob(repo.id, digest, size);
  }

  async putBlob(repo: RepositoryRecord, source: Readable, digest: string): Promise<number> {
    const size = await this.blobs.put(source, digest);
    this.store.linkBlob(repo.id, digest, size);
    return size;
  }

  async resolveBlob(
    repo: RepositoryRecord,
    image: string,
    digest: string,
    depth = 0,
  ): Promise<ServedBlob | undefined> {
    if (!DIGEST.test(digest)) return undefined;
    const linked = this.store.blobSize(repo.id, digest);
    if (linked !== undefined) {
      // A link is only written after the file is in place; a file gone missing is a broken store.
      const size = await this.blobs.size(digest);
      if (size !== undefined) return { digest, size, servedBy: repo };
    }
    if (repo.mode === 'REMOTE_REPOSITORY') {
      const size = await this.#once(`blob:${repo.id}:${digest}`, async () => {
        const stream = await this.#upstream(repo).blob(image, digest);
        if (stream === undefined) return undefined;
        const written = await this.blobs.put(stream, digest);
        this.store.linkBlob(repo.id, digest, written);
        return written;
      });
      return size === undefined ? undefined : { digest, size, servedBy: repo };
    }
    if (repo.mode === 'VIRTUAL_REPOSITORY' && depth < MAX_VIRTUAL_DEPTH) {
      for (const upstream of this.upstreamRepositories(repo)) {
        const found = await this.resolveBlob(upstream, image, digest, depth + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }

  // Manifests

  async resolveManifest(
    repo: RepositoryRecord,
    image: string,
    reference: string,
    depth = 0,
  ): Promise<ServedManifest | undefined> {
    const digest = DIGEST.test(reference) ? reference : this.store.tagDigest(repo.id, image, reference);
    if (digest !== undefined) {
      const record = this.store.manifest(repo.id, image, digest);
      if (record !== undefined) return { record, servedBy: repo };
    }
    if (repo.mode === 'REMOTE_REPOSITORY') {
      const record = await this.#once(`manifest:${repo.id}:${image}:${reference}`, () =>
        this.#cacheRemoteManifest(repo, image, reference),
      );
      return record === undefined ? undefined : { record, servedBy: repo };
    }
    if (repo.mode === 'VIRTUAL_REPOSITORY' && depth < MAX_VIRTUAL_DEPTH) {
      for (const upstream of this.upstreamRepositories(repo)) {
        const found = await this.resolveManifest(upstream, image, reference, depth + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }

  /** A virtual repository's upstreams, highest priority first (ties keep policy order). */
  upstreamRepositories(repo: RepositoryRecord): RepositoryRecord[] {
    return [...repo.upstreams]
      .sort((a, b) => b.priority - a.priority)
      .map((policy) => this.repositoryByResource(policy.repository))
      .filter((found): found is RepositoryRecord => found !== undefined);
  }

  async #cacheRemoteManifest(
    repo: RepositoryRecord,
    image: string,
    reference: string,
  ): Promise<ManifestRecord | undefined> {
    const fetched = await this.#upstream(repo).manifest(image, reference);
    if (fetched === undefined) return undefined;
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(fetched.content, fetched.mediaType);
    } catch (error) {
      throw new EmulatorError(
        'AR_EMULATOR_UPSTREAM_FAILED',
        `Upstream ${repo.remote?.uri} served ${image}:${reference} in a form the emulator does not cache.`,
        { cause: error },
      );
    }
    const now = this.now();
    const record: ManifestRecord = {
      repoId: repo.id,
      image,
      digest: fetched.digest,
      mediaType: parsed.mediaType,
      size: fetched.content.length,
      content: fetched.content,
      imageSize: [...parsed.blobs, ...parsed.children].reduce((sum, d) => sum + d.size, 0),
      buildMs: now,
      uploadedMs: now,
      updatedMs: now,
    };
    // Blobs and child manifests are fetched when first asked for, each verified on arrival.
    this.store.transaction(() => {
      this.store.putManifest(
        record,
        parsed.children.map((child) => child.digest),
      );
      if (!DIGEST.test(reference)) this.store.setTag(repo.id, image, reference, fetched.digest, now);
    });
    return this.store.manifest(repo.id, image, fetched.digest);
  }

  /**
   * Stores a pushed manifest: its blobs (or children) must already be in the repository, the
   * digest must match a digest reference, and an immutable tag may not move. The checks and the
   * write are one SQLite transaction, so of two racing pushes of one tag exactly one wins.
   */
  async putManifest(
    repo: RepositoryRecord,
    image: string,
    reference: string,
    content: Buffer,
    contentType: string | undefined,
  ): Promise<string> {
    if (content.length > MAX_MANIFEST_BYTES) {
      throw new EmulatorError(
        'AR_EMULATOR_MANIFEST_TOO_LARGE',
        `Manifest exceeds the ${MAX_MANIFEST_BYTES}-byte limit.`,
      );
    }
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
    const isDigest = reference.startsWith('sha256:');
    if (isDigest && reference !== digest) {
      throw new EmulatorError(
        'AR_EMULATOR_DIGEST_INVALID',
        `The manifest was pushed as ${reference} but its content has digest ${digest}.`,
      );
    }
    if (!isDigest && !TAG.test(reference)) throw tagInvalid(reference);
    const parsed = parseManifest(content, contentType);
    const buildMs =
      parsed.config === undefined
        ? undefined
        : await this.#buildTime(parsed.config.digest, parsed.config.size);
    const now = this.now();
    this.store.transaction(() => {
      for (const blob of parsed.blobs) {
        if (this.store.blobSize(repo.id, blob.digest) === undefined) {
          throw new EmulatorError(
            'AR_EMULATOR_MANIFEST_BLOB_UNKNOWN',
            `Manifest references blob ${blob.digest}, which is not in ${repositoryResource(repo)}: push the blob first.`,
            { detail: { digest: blob.digest } },
          );
        }
      }
      let imageSize = parsed.blobs.reduce((sum, blob) => sum + blob.size, 0);
      for (const child of parsed.children) {
        const found = this.store.manifest(repo.id, image, child.digest);
        if (found === undefined) {
          throw new EmulatorError(
            'AR_EMULATOR_MANIFEST_BLOB_UNKNOWN',
            `Index references manifest ${child.digest}, which is not in ${image}: push the child manifests first.`,
            { detail: { digest: child.digest } },
          );
        }
        imageSize += found.imageSize;
      }
      if (!isDigest && repo.immutableTags) {
        const held = this.store.tagDigest(repo.id, image, reference);
        if (held !== undefined && held !== digest) throw tagImmutable(reference, held, image);
      }
      this.store.putManifest(
        {
          repoId: repo.id,
          image,
          digest,
          mediaType: parsed.mediaType,
          size: content.length,
          content,
          imageSize,
          buildMs: buildMs ?? now,
          uploadedMs: now,
          updatedMs: now,
        },
        parsed.children.map((child) => child.digest),
      );
      if (!isDigest) this.store.setTag(repo.id, image, reference, digest, now);
    });
    return digest;
  }

  /** The image config's `created` time, when the config is a small JSON blob we hold. */
  async #buildTime(digest: string, size: number): Promise<number | undefined> {
    if (size > 1024 * 1024) return undefined;
    try {
      const config = JSON.parse(await readFile(this.blobs.path(digest), 'utf8')) as { created?: string };
      const ms = config.created === undefined ? Number.NaN : Date.parse(config.created);
      return Number.isFinite(ms) && ms > 0 ? ms : undefined;
    } catch {
      return undefined;
    }
  }

  /** Deletes a tag, or a manifest and its tags. Returns false when there was nothing to delete. */
  deleteManifest(repo: RepositoryRecord, image: string, reference: string): boolean {
    if (!DIGEST.test(reference)) return this.store.deleteTag(repo.id, image, reference);
    return this.store.transaction(() => {
      const parents = this.store.parentsOf(repo.id, image, reference);
      if (parents.length > 0) {
        throw new EmulatorError(
          'AR_EMULATOR_FAILED_PRECONDITION',
          `Manifest ${reference} is referenced by index ${parents[0]}: delete the index first.`,
        );
      }
      return this.store.deleteManifest(repo.id, image, reference);
    });
  }

  /** Refuses writes to remote and virtual repositories, which only serve pulls. */
  requireWritable(repo: RepositoryRecord): void {
    if (repo.mode === 'STANDARD_REPOSITORY') return;
    const kind = repo.mode === 'REMOTE_REPOSITORY' ? 'a remote' : 'a virtual';
    throw new EmulatorError(
      'AR_EMULATOR_READ_ONLY_REPOSITORY',
      `Repository ${repositoryResource(repo)} is ${kind} repository: it only serves pulls. Push to a standard repository.`,
    );
  }

  /** A new tag on a version of the image (REST `tags.create`); allowed with immutable tags too. */
  createTag(repo: RepositoryRecord, image: string, tag: string, digest: string): void {
    this.requireWritable(repo);
    if (!TAG.test(tag)) throw tagInvalid(tag);
    this.store.transaction(() => {
      this.#requireVersion(repo, image, digest);
      if (this.store.tagDigest(repo.id, image, tag) !== undefined) {
        throw new EmulatorError(
          'AR_EMULATOR_ALREADY_EXISTS',
          `Tag ${tag} already exists in package ${image}.`,
        );
      }
      this.store.setTag(repo.id, image, tag, digest, this.now());
    });
  }

  /** Points an existing tag at another version (REST `tags.patch`); refused with immutable tags. */
  moveTag(repo: RepositoryRecord, image: string, tag: string, digest: string): void {
    this.requireWritable(repo);
    this.store.transaction(() => {
      const held = this.store.tagDigest(repo.id, image, tag);
      if (held === undefined)
        throw new EmulatorError('AR_EMULATOR_NOT_FOUND', `Tag ${tag} not found in package ${image}.`);
      this.#requireVersion(repo, image, digest);
      if (held === digest) return;
      if (repo.immutableTags) throw tagImmutable(tag, held, image);
      this.store.setTag(repo.id, image, tag, digest, this.now());
    });
  }

  /** Removes a tag (REST `tags.delete`); refused with immutable tags. */
  untag(repo: RepositoryRecord, image: string, tag: string): void {
    this.requireWritable(repo);
    this.store.transaction(() => {
      const held = this.store.tagDigest(repo.id, image, tag);
      if (held === undefined)
        throw new EmulatorError('AR_EMULATOR_NOT_FOUND', `Tag ${tag} not found in package ${image}.`);
      if (repo.immutableTags) {
        throw new EmulatorError(
          'AR_EMULATOR_FAILED_PRECONDITION',
          `cannot delete tag ${tag}. ${TAG_IMMUTABILITY}.`,
        );
      }
      this.store.deleteTag(repo.id, image, tag);
    });
  }

  /**
   * Deletes a version (REST `versions.delete`). A tagged version goes only with `force`, which
   * removes its tags too, and never in a repository with immutable tags (AR: "delete a tagged image").
   */
  deleteVersion(repo: RepositoryRecord, image: string, digest: string, force: boolean): void {
    this.requireWritable(repo);
    this.store.transaction(() => {
      this.#requireVersion(repo, image, digest);
      const tags = this.store.tagsOf(repo.id, image, digest);
      if (tags.length > 0 && repo.immutableTags) {
        throw new EmulatorError(
          'AR_EMULATOR_FAILED_PRECONDITION',
          `cannot delete version ${digest}, tagged ${tags.join(', ')}. ${TAG_IMMUTABILITY}.`,
        );
      }
      if (tags.length > 0 && !force) {
        throw new EmulatorError(
          'AR_EMULATOR_FAILED_PRECONDITION',
          `Version ${digest} of ${image} is tagged (${tags.join(', ')}): delete the tags first, or delete with force=true to remove them too.`,
        );
      }
      this.store.deleteTagsOf(repo.id, image, digest);
      if (!this.deleteManifest(repo, image, digest)) throw versionNotFound(image, digest);
    });
  }

  /** Deletes a package: every version and tag of the image (REST `packages.delete`). */
  deletePackage(repo: RepositoryRecord, image: string): void {
    this.requireWritable(repo);
    this.store.transaction(() => {
      if (repo.immutableTags && this.store.tags(repo.id, image).length > 0) {
        throw new EmulatorError(
          'AR_EMULATOR_FAILED_PRECONDITION',
          `cannot delete tagged package ${image}. ${TAG_IMMUTABILITY}.`,
        );
      }
      if (!this.store.deleteImage(repo.id, image)) {
        throw new EmulatorError('AR_EMULATOR_NOT_FOUND', `Package ${image} not found.`);
      }
    });
  }

  #requireVersion(repo: RepositoryRecord, image: string, digest: string): ManifestRecord {
    const record = DIGEST.test(digest) ? this.store.manifest(repo.id, image, digest) : undefined;
    if (record === undefined) throw versionNotFound(image, digest);
    return record;
  }

  #upstream(repo: RepositoryRecord): UpstreamClient {
    let client = this.#upstreams.get(repo.id);
    if (client === undefined || client.uri !== repo.remote?.uri.replace(/\/+$/, '')) {
      if (repo.remote === undefined) {
        throw new EmulatorError(
          'AR_EMULATOR_UPSTREAM_FAILED',
          `Remote repository ${repo.name} has no upstream configured.`,
        );
      }
      client = new UpstreamClient(repo.remote);
      this.#upstreams.set(repo.id, client);
    }
    return client;
  }

  /** One fetch per key at a time: concurrent pulls of one missing blob share the download. */
  async #once<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.#inflight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const promise = work().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }
}

function tagInvalid(tag: string): EmulatorError {
  return new EmulatorError(
    'AR_EMULATOR_TAG_INVALID',
    `"${tag}" is not a valid tag: up to 128 letters, digits, "_", "." or "-", not starting with "." or "-".`,
  );
}

/** AR's refusal first (clients match on it), then what the emulator knows: the digest the tag holds. */
function tagImmutable(tag: string, held: string, image: string): EmulatorError {
  return new EmulatorError(
    'AR_EMULATOR_TAG_IMMUTABLE',
    `cannot update tag ${tag}. ${TAG_IMMUTABILITY}. (It points to ${held} in ${image}: push under a new tag, or push by digest.)`,
    { detail: { tag, digest: held } },
  );
}

function versionNotFound(image: string, digest: string): EmulatorError {
  return new EmulatorError('AR_EMULATOR_NOT_FOUND', `Version ${digest} not found in package ${image}.`);
}
