import { pipeline, type Readable } from 'node:stream';
import { isArError } from '@ar/errors';
import { Agent, type Dispatcher, Pool } from 'undici';
import { ResumableBlobStream } from './blob-stream.js';
import { ByteCounter, sha256 } from './digest.js';
import {
  type RegistryConfig,
  type RegistryEndpointSettings,
  registryBaseUrl,
  tlsOptions,
} from './endpoints.js';
import { abortedError, RegistryError } from './errors.js';
import { Authenticator, authLayer, type CredentialProvider } from './http/auth.js';
import { type HostPolicy, isGoogleRegistry } from './http/host-policy.js';
import type { RequestLogger } from './http/log.js';
import { type ErrorContext, responseError } from './http/response-error.js';
import { Backoff, backoffSleep, DEFAULT_RETRY_POLICY, type RetryPolicy } from './http/retry.js';
import { createHttpStack } from './http/stack.js';
import { discard, header, type RegistryRequest, type RegistryResponse, type Send } from './http/types.js';
import { type ImageSummary, mergeTagPages, nextLink, parseTagPage, type TagListing } from './listing.js';
import {
  type Descriptor,
  detectManifestMediaType,
  MAX_MANIFEST_BYTES,
  type ManifestBlob,
  tooLarge,
} from './manifest.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import { runPool } from './pool.js';
import { formatRepository, type ImageRef, type RepositoryRef, referenceOf, toImageRef } from './reference.js';

export interface RegistryClientOptions {
  /** Where credentials come from (`createAuth(config).registryCredential`); none: anonymous. */
  readonly credentials?: CredentialProvider;
  /** Per-registry endpoint, TLS and HTTP settings, keyed by `host[:port]`. */
  readonly registries?: Readonly<Record<string, RegistryEndpointSettings>>;
  /** Blobs transferred in parallel by push/pull/copy. Default 4. */
  readonly concurrency?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Idle time (no headers, or no body progress) before a request is abandoned. Default 300 s. */
  readonly requestTimeoutMs?: number;
  /**
   * A blob upload starts only with a token that has at least this much life left; a fresh one is
   * minted otherwise. Default 15 min: AR checks the token when the PUT starts, and a Google access
   * token lives 60 minutes.
   */
  readonly uploadTokenValidityMs?: number;
  /** Replaces the built-in pooled Agent (tests, proxies, mocks of failures no server can produce). */
  readonly dispatcher?: Dispatcher;
  /** `--verbose`-style hook: one event per request, retry and token mint; never a secret. */
  readonly log?: RequestLogger;
  readonly userAgent?: string;
  /**
   * Where the client may go besides a registry's configured endpoint: redirect targets off the
   * registry's origin, and token realms. Unset, it behaves as Docker does, except that a Google
   * registry's credential goes only to Google or its configured endpoint, and no credential ever
   * follows a redirect off the registry's origin. `@ar/api` sets it from `api.allowedHosts`; a
   * caller that wants Docker's looser realms for non-Google registries leaves it unset.
   */
  readonly hostPolicy?: HostPolicy;
}

/** Maps the config model (`transfer`, `registries`) onto client options; `credentials` stays injected. */
export function registryClientOptionsFromConfig(
  config: RegistryConfig,
  extra: Omit<RegistryClientOptions, 'registries' | 'concurrency' | 'requestTimeoutMs'> = {},
): RegistryClientOptions {
  return {
    ...extra,
    registries: config.registries,
    concurrency: config.transfer.concurrency,
    requestTimeoutMs: config.transfer.requestTimeoutSeconds * 1000,
    retry: { ...extra.retry, retries: config.transfer.retries },
  };
}

export interface RequestOptions {
  readonly signal?: AbortSignal;
}

/** Where the bytes of a blob upload come from: re-opened on every attempt, never buffered. */
export interface BlobSource {
  open(signal?: AbortSignal): Promise<Readable>;
}

export type BlobPushResult = 'exists' | 'mounted' | 'uploaded';

export interface PushBlobOptions extends RequestOptions {
  /** A repository of the same registry that holds the blob: it is mounted instead of uploaded. */
  readonly mountFrom?: RepositoryRef;
  /** Bytes sent so far in the current attempt (restarts from 0 when an upload restarts). */
  readonly onProgress?: (bytes: number) => void;
  /** Skip the existence check (the caller already knows the blob is missing). */
  readonly skipExistenceCheck?: boolean;
}

export interface OpenBlobOptions extends RequestOptions {
  /** Bytes received so far, including bytes re-fetched after a dropped connection. */
  readonly onProgress?: (bytes: number) => void;
}

const DEFAULT_USER_AGENT = 'ar-registry/0.0 (+https://github.com/ar-toolkit)';

/**
 * An OCI distribution client. One instance holds one connection pool per registry (keep-alive,
 * no handshake per request), a token cache and the retry policy; share it, and `close()` it.
 */
export class RegistryClient {
  readonly concurrency: number;
  readonly #send: Send;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #registries: Readonly<Record<string, RegistryEndpointSettings>>;
  readonly #retryPolicy: RetryPolicy;
  readonly #uploadTokenValidityMs: number;
  readonly #userAgent: string;

  constructor(options: RegistryClientOptions = {}) {
    this.concurrency = options.concurrency ?? 4;
    this.#registries = options.registries ?? {};
    this.#retryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#uploadTokenValidityMs = options.uploadTokenValidityMs ?? 15 * 60_000;
    this.#userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#dispatcher = options.dispatcher ?? this.#createDispatcher();
    const stack = {
      dispatcher: this.#dispatcher,
      requestTimeoutMs: options.requestTimeoutMs ?? 300_000,
      retry: this.#retryPolicy,
      hostPolicy: options.hostPolicy,
      ...(options.log ? { log: options.log } : {}),
    };
    const authenticator = new Authenticator({
      credentials: options.credentials,
      tokenSend: createHttpStack(stack),
      baseUrl: (registry) => this.baseUrl(registry),
      google: (registry) => isGoogleRegistry(registry, this.#registries[registry]),
      hostPolicy: options.hostPolicy,
      log: options.log,
    });
    this.#send = createHttpStack(stack, authLayer(authenticator));
  }

  /** A client configured from the resolved config; credentials are injected, not looked up here. */
  static fromConfig(
    config: RegistryConfig,
    extra: Omit<RegistryClientOptions, 'registries' | 'concurrency' | 'requestTimeoutMs'> = {},
  ): RegistryClient {
    return new RegistryClient(registryClientOptionsFromConfig(config, extra));
  }

  #createDispatcher(): Dispatcher {
    const byOrigin = new Map<string, string>();
    const agent = new Agent({
      // One pool per registry origin, with that registry's TLS settings.
      factory: (origin, opts) => {
        const registry = byOrigin.get(String(origin));
        const settings = registry === undefined ? undefined : this.#registries[registry];
        return new Pool(origin, {
          ...opts,
          connections: Math.max(8, this.concurrency * 2),
          keepAliveTimeout: 30_000,
          connect: { ...tlsOptions(registry ?? '', settings) },
        });
      },
    });
    for (const registry of Object.keys(this.#registries))
      byOrigin.set(this.baseUrl(registry).origin, registry);
    // Redirects are followed by the stack's redirectLayer, which checks where they lead.
    return agent;
  }

  /** Closes the connection pools it created (an injected dispatcher is left to its owner). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  get retryPolicy(): RetryPolicy {
    return this.#retryPolicy;
  }

  baseUrl(registry: string): URL {
    return registryBaseUrl(registry, this.#registries[registry]);
  }

  #url(ref: RepositoryRef, path: string): URL {
    return new URL(`v2/${ref.repository}/${path}`, this.baseUrl(ref.registry));
  }

  async #request(
    request: Omit<RegistryRequest, 'headers'> & { headers?: Record<string, string> },
  ): Promise<RegistryResponse> {
    return this.#send({ ...request, headers: { 'user-agent': this.#userAgent, ...request.headers } });
  }

  /** Checks the registry answers the distribution API (and learns its auth challenge). */
  async ping(registry: string, options: RequestOptions = {}): Promise<void> {
    const response = await this.#request({
      method: 'GET',
      url: new URL('v2/', this.baseUrl(registry)),
      registry,
      signal: options.signal,
    });
    if (response.status !== 200) throw await responseError(response, { action: `reach ${registry}` });
    await discard(response);
  }

  // ---- manifests ----

  /**
   * Fetches a manifest or index as stored (bytes, media type, digest). Fetched by digest, the
   * bytes are verified against it; fetched by tag, against the registry's Docker-Content-Digest.
   */
  async getManifest(
    ref: string | ImageRef,
    options: RequestOptions & { accept?: string } = {},
  ): Promise<ManifestBlob> {
    const image = toImageRef(ref);
    const reference = referenceOf(image);
    const action = `pull manifest ${formatRepository(image)}${image.digest ? '@' : ':'}${reference}`;
    const response = await this.#request({
      method: 'GET',
      url: this.#url(image, `manifests/${reference}`),
      registry: image.registry,
      headers: { accept: options.accept ?? MANIFEST_ACCEPT },
      scopes: [pullScope(image)],
      signal: options.signal,
    });
    if (response.status !== 200) throw await responseError(response, context(action, image));
    const length = Number(header(response, 'content-length'));
    if (length > MAX_MANIFEST_BYTES) {
      response.body.destroy();
      throw tooLarge(length);
    }
    const bytes = await readCapped(response, MAX_MANIFEST_BYTES);
    const digest = sha256(bytes);
    const expected = image.digest ?? header(response, 'docker-content-digest');
    if (expected?.startsWith('sha256:') && expected !== digest)
      throw new RegistryError(
        'AR_REGISTRY_DIGEST_MISMATCH',
        `The manifest of ${formatRepository(image)}@${reference} hashes to ${digest}, not ${expected}: corrupt in the registry or in transit. Nothing was written; retry.`,
      );
    const contentType = header(response, 'content-type')?.split(';')[0]?.trim();
    const mediaType =
      contentType && contentType !== 'application/json' && contentType !== 'application/octet-stream'
        ? contentType
        : detectManifestMediaType(bytes);
    return { bytes, digest, mediaType };
  }

  /** The descriptor of a manifest (digest, size, media type), or undefined when it does not exist. */
  async headManifest(ref: string | ImageRef, options: RequestOptions = {}): Promise<Descriptor | undefined> {
    const image = toImageRef(ref);
    const reference = referenceOf(image);
    const response = await this.#request({
      method: 'HEAD',
      url: this.#url(image, `manifests/${reference}`),
      registry: image.registry,
      headers: { accept: MANIFEST_ACCEPT },
      scopes: [pullScope(image)],
      signal: options.signal,
    });
    await discard(response);
    if (response.status === 404) return undefined;
    if (response.status !== 200)
      throw await responseError(
        response,
        context(`check manifest ${formatRepository(image)}:${reference}`, image),
      );
    const digest = header(response, 'docker-content-digest');
    if (!digest) {
      // Some registries omit the header on HEAD: fall back to a GET, which hashes the bytes.
      const blob = await this.getManifest(image, options);
      return { mediaType: blob.mediaType, digest: blob.digest, size: blob.bytes.length };
    }
    return {
      mediaType: header(response, 'content-type')?.split(';')[0]?.trim() ?? '',
      digest,
      size: Number(header(response, 'content-length') ?? 0),
    };
  }

  /**
   * Stores a manifest under a tag or its digest. Callers push every blob (and child manifest)
   * first: this is the step that makes the image visible.
   */
  async putManifest(
    ref: RepositoryRef,
    reference: string,
    manifest: ManifestBlob,
    options: RequestOptions = {},
  ): Promise<string> {
    if (manifest.bytes.length > MAX_MANIFEST_BYTES) throw tooLarge(manifest.bytes.length);
    const target = `${formatRepository(ref)}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
    const response = await this.#request({
      method: 'PUT',
      url: this.#url(ref, `manifests/${reference}`),
      registry: ref.registry,
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
      scopes: [pushScope(ref)],
      signal: options.signal,
    });
    if (response.status !== 201 && response.status !== 200 && response.status !== 202) {
      const error = await responseError(response, context(`push manifest ${target}`, ref, true));
      if (error.code === 'AR_REGISTRY_TAG_IMMUTABLE')
        throw await this.#immutableTagError(ref, reference, manifest, error, options);
      throw error;
    }
    await discard(response);
    return manifest.digest;
  }

  async #immutableTagError(
    ref: RepositoryRef,
    tag: string,
    manifest: ManifestBlob,
    cause: RegistryError,
    options: RequestOptions,
  ): Promise<RegistryError> {
    let held = 'another digest';
    try {
      held = (await this.headManifest({ ...ref, tag }, options))?.digest ?? held;
    } catch {
      // The message is still right without the digest the tag holds.
    }
    return new RegistryError(
      'AR_REGISTRY_TAG_IMMUTABLE',
      `Tag "${tag}" already points to ${held} in ${formatRepository(ref)} and the repository has immutable tags, ` +
        `so it cannot point to ${manifest.digest}. Push under a new tag, or push by digest.`,
      { cause, status: cause.status, registryCodes: cause.registryCodes },
    );
  }

  /** Deletes a manifest by digest (or a tag, where the registry allows untagging). */
  async deleteManifest(ref: string | ImageRef, options: RequestOptions = {}): Promise<void> {
    const image = toImageRef(ref);
    const reference = referenceOf(image);
    const response = await this.#request({
      method: 'DELETE',
      url: this.#url(image, `manifests/${reference}`),
      registry: image.registry,
      scopes: [`repository:${image.repository}:delete`],
      signal: options.signal,
    });
    if (response.status !== 202 && response.status !== 200 && response.status !== 204)
      throw await responseError(
        response,
        context(`delete ${formatRepository(image)}@${reference}`, image, true),
      );
    await discard(response);
  }

  // ---- blobs ----

  /** The size of a blob, or undefined when the repository does not have it. */
  async headBlob(
    ref: RepositoryRef,
    digest: string,
    options: RequestOptions = {},
  ): Promise<number | undefined> {
    const response = await this.#request({
      method: 'HEAD',
      url: this.#url(ref, `blobs/${digest}`),
      registry: ref.registry,
      scopes: [pullScope(ref)],
      signal: options.signal,
    });
    await discard(response);
    if (response.status === 404) return undefined;
    if (response.status !== 200)
      throw await responseError(response, context(`check blob ${digest} in ${formatRepository(ref)}`, ref));
    return Number(header(response, 'content-length') ?? Number.NaN);
  }

  /**
   * Streams a blob, verifying its size and digest: the stream fails at its end (before a consumer
   * commits) when the bytes are wrong. A connection dropped mid-body resumes with `Range` from
   * the last byte received, within the retry policy.
   */
  async openBlob(
    ref: RepositoryRef,
    descriptor: Descriptor,
    options: OpenBlobOptions = {},
  ): Promise<Readable> {
    const what = `blob ${descriptor.digest} of ${formatRepository(ref)}`;
    const fetchFrom = async (offset: number): Promise<RegistryResponse> => {
      const response = await this.#request({
        method: 'GET',
        url: this.#url(ref, `blobs/${descriptor.digest}`),
        registry: ref.registry,
        headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
        scopes: [pullScope(ref)],
        signal: options.signal,
      });
      if (response.status === 200 || (response.status === 206 && offset > 0)) return response;
      throw await responseError(response, context(`pull ${what}`, ref));
    };
    const first = await fetchFrom(0);
    return new ResumableBlobStream(first, {
      digest: descriptor.digest,
      size: descriptor.size,
      what,
      policy: this.#retryPolicy,
      fetchFrom,
      signal: options.signal,
      onProgress: options.onProgress,
    });
  }

  /**
   * Makes a blob exist in a repository, in go-containerregistry's order: HEAD (skip if present),
   * mount from `mountFrom` when it is in the same registry, else a monolithic upload (`POST`, then
   * `PUT ?digest=` with the whole body and its length), the only kind Artifact Registry accepts.
   * A failed upload restarts from a new POST with the source re-opened: AR cannot resume one.
   */
  async pushBlob(
    ref: RepositoryRef,
    descriptor: Descriptor,
    source: BlobSource,
    options: PushBlobOptions = {},
  ): Promise<BlobPushResult> {
    const { signal } = options;
    const from = options.mountFrom;
    const mountable =
      from !== undefined && from.registry === ref.registry && from.repository !== ref.repository;
    // As docker does: with a source to mount from, try the mount first. A registry answers 201 for
    // a blob the repository already has too, so a HEAD would only cost a round trip per blob.
    if (
      !mountable &&
      !options.skipExistenceCheck &&
      (await this.headBlob(ref, descriptor.digest, { signal })) !== undefined
    )
      return 'exists';
    let location: URL | undefined;
    if (from && mountable) {
      const mount = await this.#startUpload(ref, { signal, mount: descriptor.digest, from: from.repository });
      if (mount.mounted) return 'mounted';
      // Refused (202): the registry opened an upload session instead; use it.
      location = mount.location;
    }
    const backoff = new Backoff(this.#retryPolicy);
    for (;;) {
      try {
        if (!location) {
          const started = await this.#startUpload(ref, { signal });
          if (started.mounted) return 'mounted';
          location = started.location;
        }
        await this.#putUpload(ref, location, descriptor, source, options);
        return 'uploaded';
      } catch (error) {
        location = undefined;
        if (signal?.aborted) throw abortedError(signal);
        if (!isArError(error) || !error.retryable) throw error;
        const seconds = (error as RegistryError).retryAfterSeconds;
        const delay = backoff.next(seconds === undefined ? undefined : seconds * 1000);
        if (delay === undefined) throw error;
        await backoffSleep(delay, signal);
      }
    }
  }

  /** Mounts a blob from another repository of the same registry; false when the registry refuses. */
  async mountBlob(
    ref: RepositoryRef,
    digest: string,
    from: RepositoryRef,
    options: RequestOptions = {},
  ): Promise<boolean> {
    if (from.registry !== ref.registry) return false;
    const result = await this.#startUpload(ref, {
      signal: options.signal,
      mount: digest,
      from: from.repository,
    });
    if (!result.mounted) await this.#cancelUpload(ref, result.location);
    return result.mounted;
  }

  async #startUpload(
    ref: RepositoryRef,
    options: { signal?: AbortSignal; mount?: string; from?: string },
  ): Promise<{ mounted: true } | { mounted: false; location: URL }> {
    const url = this.#url(ref, 'blobs/uploads/');
    const scopes = [pushScope(ref)];
    if (options.mount && options.from) {
      url.searchParams.set('mount', options.mount);
      url.searchParams.set('from', options.from);
      scopes.push(`repository:${options.from}:pull`);
    }
    const response = await this.#request({
      method: 'POST',
      url,
      registry: ref.registry,
      headers: { 'content-length': '0' },
      scopes,
      // Opening a session twice only leaves an unused one behind, which registries expire.
      idempotent: true,
      signal: options.signal,
    });
    if (options.mount && response.status === 201) {
      await discard(response);
      return { mounted: true };
    }
    if (response.status !== 202)
      throw await responseError(
        response,
        context(`start a blob upload to ${formatRepository(ref)}`, ref, true),
      );
    await discard(response);
    const location = header(response, 'location');
    if (!location)
      throw new RegistryError(
        'AR_REGISTRY_HTTP',
        `${ref.registry} opened an upload without a Location header; it does not follow the distribution spec.`,
      );
    return { mounted: false, location: new URL(location, this.baseUrl(ref.registry)) };
  }

  async #cancelUpload(ref: RepositoryRef, location: URL): Promise<void> {
    try {
      const response = await this.#request({
        method: 'DELETE',
        url: location,
        registry: ref.registry,
        scopes: [pushScope(ref)],
      });
      await discard(response);
    } catch {
      // An abandoned session expires on its own.
    }
  }

  async #putUpload(
    ref: RepositoryRef,
    location: URL,
    descriptor: Descriptor,
    source: BlobSource,
    options: PushBlobOptions,
  ): Promise<void> {
    const url = new URL(location.href);
    url.searchParams.set('digest', descriptor.digest);
    const response = await this.#request({
      method: 'PUT',
      url,
      registry: ref.registry,
      headers: { 'content-type': 'application/octet-stream' },
      body: {
        length: descriptor.size,
        open: async () => {
          const stream = await source.open(options.signal);
          if (!options.onProgress) return stream;
          // pipeline, not pipe: a source failure (e.g. its digest check) must fail the request body.
          return pipeline(stream, new ByteCounter(options.onProgress), () => {});
        },
      },
      scopes: [pushScope(ref)],
      // This attempt is retried as a whole (new POST) by pushBlob, never replayed on a used session.
      retry: false,
      minTokenValidityMs: this.#uploadTokenValidityMs,
      signal: options.signal,
    });
    if (response.status !== 201 && response.status !== 204) {
      throw await responseError(
        response,
        context(`upload blob ${descriptor.digest} to ${formatRepository(ref)}`, ref, true),
      );
    }
    await discard(response);
  }

  // ---- listing ----

  /**
   * Lists tags, following `Link` pagination (`n` per page when given). On Artifact Registry (and
   * gcr.io) the result also carries `images`: digest, tags, size, media type, times.
   */
  async listTags(
    ref: RepositoryRef,
    options: RequestOptions & { pageSize?: number } = {},
  ): Promise<TagListing> {
    const pages: TagListing[] = [];
    let url: URL | undefined = this.#url(ref, 'tags/list');
    if (options.pageSize) url.searchParams.set('n', String(options.pageSize));
    while (url) {
      const response = await this.#request({
        method: 'GET',
        url,
        registry: ref.registry,
        scopes: [pullScope(ref)],
        signal: options.signal,
      });
      if (response.status !== 200)
        throw await responseError(response, context(`list tags of ${formatRepository(ref)}`, ref));
      pages.push(parseTagPage(await response.body.json()));
      const next = nextLink(header(response, 'link'), url);
      url = next && next.href !== url.href ? next : undefined;
    }
    return mergeTagPages(pages);
  }

  /**
   * One summary per image (digest) of a repository: from AR's `manifest` map when the registry
   * sends it, else (plain OCI) by resolving every tag with HEAD, without sizes or times.
   */
  async listImages(ref: RepositoryRef, options: RequestOptions = {}): Promise<ImageSummary[]> {
    const listing = await this.listTags(ref, options);
    if (listing.images) return [...listing.images];
    const resolved: { tag: string; descriptor: Descriptor | undefined }[] = [];
    await runPool(
      listing.tags,
      this.concurrency,
      async (tag, signal) => {
        resolved.push({ tag, descriptor: await this.headManifest({ ...ref, tag }, { signal }) });
      },
      options.signal,
    );
    const byDigest = new Map<string, { mediaType: string; tags: string[] }>();
    for (const { tag, descriptor } of resolved) {
      if (!descriptor) continue;
      const entry = byDigest.get(descriptor.digest) ?? { mediaType: descriptor.mediaType, tags: [] };
      entry.tags.push(tag);
      byDigest.set(descriptor.digest, entry);
    }
    return [...byDigest].map(([digest, entry]) => ({ digest, tags: entry.tags, mediaType: entry.mediaType }));
  }

  /** Repository names of a registry (`/v2/_catalog`), where the registry offers it. */
  async catalog(registry: string, options: RequestOptions & { pageSize?: number } = {}): Promise<string[]> {
    const names: string[] = [];
    let url: URL | undefined = new URL('v2/_catalog', this.baseUrl(registry));
    if (options.pageSize) url.searchParams.set('n', String(options.pageSize));
    while (url) {
      const response = await this.#request({
        method: 'GET',
        url,
        registry,
        scopes: ['registry:catalog:*'],
        signal: options.signal,
      });
      if (response.status === 404 || response.status === 405) {
        await discard(response);
        throw new RegistryError(
          'AR_REGISTRY_UNSUPPORTED',
          `${registry} does not offer the catalog (/v2/_catalog). List repositories with the registry's own API.`,
          { status: response.status },
        );
      }
      if (response.status !== 200)
        throw await responseError(response, { action: `list repositories of ${registry}` });
      const json = (await response.body.json()) as { repositories?: unknown };
      if (Array.isArray(json.repositories))
        names.push(...json.repositories.filter((r): r is string => typeof r === 'string'));
      const next = nextLink(header(response, 'link'), url);
      url = next && next.href !== url.href ? next : undefined;
    }
    return names;
  }
}

function pullScope(ref: RepositoryRef): string {
  return `repository:${ref.repository}:pull`;
}

function pushScope(ref: RepositoryRef): string {
  return `repository:${ref.repository}:pull,push`;
}

function context(action: string, ref: RepositoryRef, write = false): ErrorContext {
  return { action, repository: formatRepository(ref), write };
}

async function readCapped(response: RegistryResponse, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      response.body.destroy();
      throw tooLarge(size);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
