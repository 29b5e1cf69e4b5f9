import { type ArRepositoryRef, arRepositoryResourceName } from '@ar/image-ref';
import type {
  Descriptor,
  ImageRef,
  ImageSummary,
  ManifestBlob,
  RegistryClient,
  RepositoryRef,
} from '@ar/registry';
import { LRUCache } from 'lru-cache';
import type { Repository, repositoriesApi } from '../repositories.js';

export interface ReadOptions {
  /** Ask upstream again instead of answering from the cache (joins a lookup already in flight). */
  fresh?: boolean;
  /** A read that can be aborted is the caller's own: it bypasses the cache, shared lookups are never aborted. */
  signal?: AbortSignal;
}

/** The upstream reads `images.describe` and `images.resolve` make: direct, or through a cache. */
export interface UpstreamReads {
  manifest(ref: ImageRef, options?: ReadOptions): Promise<ManifestBlob>;
  headManifest(ref: ImageRef, options?: ReadOptions): Promise<Descriptor | undefined>;
  listImages(repository: RepositoryRef, options?: ReadOptions): Promise<ImageSummary[]>;
  repository(repository: ArRepositoryRef, options?: ReadOptions): Promise<Repository>;
  /** Drops what is kept of a repository's tags and listing: the client just wrote there. */
  forget(repository: RepositoryRef): void;
}

/** How long each kind of upstream answer is kept (see `createClient`'s `cache` option). */
export interface ReadCacheOptions {
  /** Tag → digest, manifest existence (HEAD) and image listings (tags, sizes): what moves. */
  tagTtlMs: number;
  /** Repository metadata, upstream policies of virtual repositories included. */
  metadataTtlMs: number;
  /** Budget of manifests kept by digest (they never change; least recently used go first). */
  manifestBytes: number;
  /** Most entries kept per kind of answer (tags, listings, …). Default 10,000. */
  maxEntries?: number;
}

const signalOf = (options: ReadOptions) => (options.signal ? { signal: options.signal } : {});

export function directReads(
  registry: RegistryClient,
  repositories: ReturnType<typeof repositoriesApi>,
): UpstreamReads {
  return {
    manifest: (ref, options = {}) => registry.getManifest(ref, signalOf(options)),
    headManifest: (ref, options = {}) => registry.headManifest(ref, signalOf(options)),
    listImages: (repository, options = {}) => registry.listImages(repository, signalOf(options)),
    repository: (repository) => repositories.get(repository),
    forget: () => {},
  };
}

type Load<V> = () => Promise<V>;

/**
 * A TTL'd LRU whose lookups are single-flight: concurrent misses of one key share one upstream
 * call (lru-cache's `fetch`). Values are boxed so an answer of `undefined` (no such manifest) is
 * kept too. Failures are never kept: the next lookup asks again.
 */
function sharedLookups<V>(ttlMs: number, max: number) {
  // lru-cache's key iterators skip lookups in flight; `forget` must reach them too.
  const inFlight = new Set<string>();
  const cache = new LRUCache<string, { value: V }, Load<V>>({
    max,
    ttl: ttlMs,
    fetchMethod: async (key, _stale, { context }) => {
      inFlight.add(key);
      try {
        return { value: await context() };
      } finally {
        inFlight.delete(key);
      }
    },
    // An entry dropped (forgotten, evicted) while its lookup is in flight: the waiters still get
    // the answer, it is just not kept. Without this they would fail with lru-cache's abort.
    ignoreFetchAbort: true,
  });
  const lookup = async (key: string, load: Load<V>, fresh = false): Promise<V> =>
    (await cache.fetch(key, { context: load, forceRefresh: fresh }))!.value;
  /** Drops the entries of `repository` (its key, and its `:tag` / `@digest` keys). */
  const forget = (repository: string) => {
    for (const key of [...cache.keys(), ...inFlight])
      if (key === repository || key.startsWith(`${repository}:`) || key.startsWith(`${repository}@`))
        cache.delete(key);
  };
  return Object.assign(lookup, { forget });
}

const repositoryKey = (ref: RepositoryRef) => `${ref.registry}/${ref.repository}`;

/**
 * Upstream reads through a cache, for a long-lived client (the HTTP service). Keys name the
 * registry and repository, never only a digest: a manifest held by one repository says nothing
 * about another. Every entry holds what this client's own credential was answered, so a cache
 * belongs to one client; who may see an answer is the caller's business (the API authorizes
 * every request before it reads).
 */
export function cachedReads(direct: UpstreamReads, options: ReadCacheOptions): UpstreamReads {
  const max = options.maxEntries ?? 10_000;
  const byDigest = new LRUCache<string, ManifestBlob, Load<ManifestBlob>>({
    maxSize: options.manifestBytes,
    sizeCalculation: (blob, key) => blob.bytes.length + key.length,
    fetchMethod: (_key, _stale, { context }) => context(),
    ignoreFetchAbort: true,
  });
  const manifestByDigest = (ref: RepositoryRef, digest: string) =>
    byDigest.fetch(`${repositoryKey(ref)}@${digest}`, {
      context: () => direct.manifest({ registry: ref.registry, repository: ref.repository, digest }),
    }) as Promise<ManifestBlob>;
  const tags = sharedLookups<string>(options.tagTtlMs, max);
  const heads = sharedLookups<Descriptor | undefined>(options.tagTtlMs, max);
  const listings = sharedLookups<ImageSummary[]>(options.tagTtlMs, max);
  const repositories = sharedLookups<Repository>(options.metadataTtlMs, max);

  return {
    async manifest(ref, readOptions = {}) {
      if (readOptions.signal) return direct.manifest(ref, readOptions);
      // By digest: content cannot change, so even a fresh read may be answered from the cache.
      if (ref.digest) return manifestByDigest(ref, ref.digest);
      let fetched: ManifestBlob | undefined;
      const digest = await tags(
        `${repositoryKey(ref)}:${ref.tag}`,
        async () => {
          fetched = await direct.manifest(ref);
          byDigest.set(`${repositoryKey(ref)}@${fetched.digest}`, fetched);
          return fetched.digest;
        },
        readOptions.fresh,
      );
      return fetched ?? manifestByDigest(ref, digest);
    },
    headManifest(ref, readOptions = {}) {
      if (readOptions.signal) return direct.headManifest(ref, readOptions);
      const key = `${repositoryKey(ref)}${ref.digest ? `@${ref.digest}` : `:${ref.tag}`}`;
      return heads(key, () => direct.headManifest(ref), readOptions.fresh);
    },
    listImages(repository, readOptions = {}) {
      if (readOptions.signal) return direct.listImages(repository, readOptions);
      return listings(repositoryKey(repository), () => direct.listImages(repository), readOptions.fresh);
    },
    repository(repository, readOptions = {}) {
      return repositories(
        arRepositoryResourceName(repository),
        () => direct.repository(repository),
        readOptions.fresh,
      );
    },
    // Manifests by digest go too: a digest always names the same content, but a delete (or a
    // prune) may have removed it from the repository.
    forget(repository) {
      const key = repositoryKey(repository);
      for (const lookups of [tags, heads, listings]) lookups.forget(key);
      for (const cached of [...byDigest.keys()]) if (cached.startsWith(`${key}@`)) byDigest.delete(cached);
    },
  };
}
