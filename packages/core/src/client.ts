import {
  type Auth,
  allArtifactRegistryHosts,
  builtinSources,
  type ConfigureDockerResult,
  configureDocker,
  createAuth,
  type TokenSource,
} from '@ar/auth';
import type { CleanupPolicy } from '@ar/cleanup-policy';
import type { ArResolvedConfig } from '@ar/config';
import type { ImageEngine } from '@ar/docker';
import {
  type ArImageRef,
  type ArReference,
  type ArRepositoryRef,
  completeArImage,
  completeArRepository,
  parseArReference,
} from '@ar/image-ref';
import {
  type CopyResult,
  parseImageRef,
  RegistryClient,
  registryClientOptionsFromConfig,
} from '@ar/registry';
import { formatRequestLogEvent, type HostPolicy, type RequestLogEvent } from '@ar/registry/http';
import { cachedReads, directReads, type ReadCacheOptions } from './cache/upstream-reads.js';
import {
  copyTree,
  parseRepositoryPrefix,
  type TreeCopyOptions,
  type TreeCopyResult,
} from './copy-tree/index.js';
import type {
  EngineOps,
  EnginePullOptions,
  EnginePullResult,
  EnginePushOptions,
  EnginePushResult,
} from './engine-ops.js';
import { ArCoreError } from './errors.js';
import { checkHealth, type HealthOptions, type HealthReport } from './health.js';
import { type ImageDescription, type ImageResolution, imageOps, type TransferOptions } from './image-ops.js';
import { type ImageSummary, imagesApi } from './images.js';
import { arImageLocation, arImageRef, type ImageLocation, userLocation } from './locations.js';
import { inUseDigests, type PruneOptions, type PruneResult, prune, pruneApi } from './prune.js';
import { type CreateRepositoryOptions, type Repository, repositoriesApi } from './repositories.js';
import { RestClient } from './rest.js';

/** How third parties extend the toolkit without forking: token sources today. */
export interface ArPlugin {
  name: string;
  /** Added to the built-in sources; the config's `auth.sources` names which to use, in order. */
  tokenSources?: readonly TokenSource[];
}

export interface ClientOptions {
  plugins?: readonly ArPlugin[];
  /**
   * Every HTTP request the client makes (registry and REST), as one line each: method, URL with
   * secrets redacted, status, time. Never a header value or a token. `gar --verbose` prints these.
   */
  requestLog?: (line: string) => void;
  /**
   * Where redirects and token realms may lead besides the configured endpoints (registry and
   * REST). `@ar/api` sets it from `api.allowedHosts`; unset, the registry client's documented
   * default applies (credentials never leave the origin they are for).
   */
  hostPolicy?: HostPolicy;
  /** The container engine for `engine.*`; default the Docker engine the config's `docker` section names. */
  engine?: ImageEngine;
  /** Where engine pushes and pulls by the registry client spool their tars; default the OS temp dir. */
  tempDir?: string;
  /**
   * Keep what `images.describe` / `images.resolve` read upstream, for a long-lived client (the
   * HTTP service): manifests by digest while they fit the byte budget, tags, listings and
   * manifest existence for `tagTtlMs`, repository metadata for `metadataTtlMs`; concurrent
   * identical lookups share one call. Unset (the default): every read asks upstream.
   */
  cache?: ReadCacheOptions;
}

/** Per read: `fresh` asks upstream again instead of answering from the client's cache. */
export interface ReadRequestOptions {
  fresh?: boolean;
}

/**
 * A location to copy from or to: what a user writes (`oci:DIR[:TAG]`, `docker-archive:FILE`, an
 * image name, short names completed from the defaults), or a typed `ImageLocation` used as it is.
 */
export type LocationInput = string | ImageLocation;

/**
 * The facade: every operation over one resolved config. Image names may be short (`app:1`) and
 * are completed from the configured `location`, `project` and `repository`; repositories may be
 * an ID or omitted (the configured one). Progress of every transfer comes as `TransferProgress`.
 */
export interface ArClient {
  readonly config: ArResolvedConfig;
  /** The `@ar/auth` chain the client uses: `accessToken()`, `describe()`, … */
  readonly auth: Auth;
  /** The `@ar/registry` client, for anything lower-level. */
  readonly registry: RegistryClient;
  readonly repositories: {
    /** The repositories of a project and location (default the configured ones). */
    list(options?: { project?: string; location?: string; limit?: number }): Promise<Repository[]>;
    describe(repository?: string): Promise<Repository>;
    /** Creates a repository and waits for Google's long-running operation. */
    create(repository: string, options?: CreateRepositoryOptions): Promise<Repository>;
    /**
     * Sets a repository's cleanup policies (replacing them) and/or its dry-run flag, as
     * `gcloud artifacts repositories set-cleanup-policies` does.
     */
    setCleanupPolicies(
      repository: string | undefined,
      settings: { policies?: readonly CleanupPolicy[]; dryRun?: boolean },
    ): Promise<Repository>;
  };
  readonly images: {
    /** Image versions of a repository (default the configured one), or of one image. */
    list(repositoryOrImage: string | undefined, options?: { limit?: number }): Promise<ImageSummary[]>;
    describe(image: string, options?: ReadRequestOptions): Promise<ImageDescription>;
    /** Which repository serves an image: for a virtual repository, its upstream and why. */
    resolve(image: string, options?: ReadRequestOptions): Promise<ImageResolution>;
    /** A tag deletes the tag; a digest the version, refusing while tags point to it unless `deleteTags`. */
    delete(
      image: string,
      options?: { deleteTags?: boolean },
    ): Promise<{ digest: string; deletedTags: string[] }>;
    /**
     * Plans a prune of a repository (default the configured one) or one image with the cleanup
     * policy language, client-side: tagged and in-use versions stay unless told; with `apply`,
     * deletes tags then versions in parallel (bounded), resumably.
     */
    prune(repositoryOrImage: string | undefined, options: PruneOptions): Promise<PruneResult>;
  };
  /** Pushes `oci:DIR[:TAG]` or `docker-archive:FILE` to an image (blobs first, the tag last). */
  push(source: LocationInput, target: LocationInput, options?: TransferOptions): Promise<CopyResult>;
  /** Pulls an image to `oci:DIR` or `docker-archive:FILE`, verifying every digest before anything is written. */
  pull(source: LocationInput, destination: LocationInput, options?: TransferOptions): Promise<CopyResult>;
  /** Copies between registries, repositories, folders and tars; mounts blobs within one registry. */
  copy(source: LocationInput, destination: LocationInput, options?: TransferOptions): Promise<CopyResult>;
  /**
   * Copies every image under a repository prefix in any registry (`127.0.0.1:5000/team`,
   * `gcr.io/PROJECT`, `LOCATION-docker.pkg.dev/PROJECT/REPOSITORY[/PATH]`, or a repository ID) to
   * the same paths under another, resumably: images already at the destination are skipped.
   */
  copyTree(source: string, destination: string, options?: TreeCopyOptions): Promise<TreeCopyResult>;
  /** Adds a tag in the registry without pulling: the manifest is copied, every blob is already there. */
  tag(source: string, target: string): Promise<CopyResult>;
  readonly engine: {
    /**
     * Pushes an image that lives in the container engine, as `docker tag` + `docker push` do, with
     * fresh credentials from the chain (`via: 'direct'` streams `docker save` through the registry
     * client instead).
     */
    push(source: string, target: string, options?: EnginePushOptions): Promise<EnginePushResult>;
    /** Pulls into the engine (`via: 'registry'` pulls with the registry client, then loads). */
    pull(image: string, options?: EnginePullOptions): Promise<EnginePullResult>;
    /** `docker tag`, with the target completed from the defaults and validated. */
    tag(source: string, target: string): Promise<string>;
  };
  /**
   * The health of what the client talks to: the token source, and on request the REST API and
   * registries. Never throws; each check says what it saw or why it failed.
   */
  check(options?: HealthOptions): Promise<HealthReport>;
  /** `gar auth configure-docker`: the named hosts, or every AR host with `allLocations`. */
  configureDocker(
    hosts: readonly string[],
    options?: { allLocations?: boolean; dryRun?: boolean },
  ): Promise<ConfigureDockerResult>;
  /** Releases connection pools and the engine connection. */
  close(): Promise<void>;
}

/** The facade over one resolved config (see `resolveConfig` in @ar/config). */
export function createClient(config: ArResolvedConfig, options: ClientOptions = {}): ArClient {
  const auth: Auth = createAuth(config, {
    sources: [...builtinSources(), ...(options.plugins ?? []).flatMap((plugin) => plugin.tokenSources ?? [])],
  });
  const requestLog = options.requestLog;
  const log = requestLog && ((event: RequestLogEvent) => requestLog(formatRequestLogEvent(event)));
  const http = { ...(log ? { log } : {}), ...(options.hostPolicy ? { hostPolicy: options.hostPolicy } : {}) };
  // One budget for every call: REST retries as the registry client does.
  const { retry, requestTimeoutMs } = registryClientOptionsFromConfig(config);
  const rest = new RestClient({
    baseUrl: config.endpoints.artifactRegistryUrl,
    accessToken: async (request) => (await auth.accessToken(request)).token,
    ...(retry ? { retry } : {}),
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
    ...http,
  });
  const defaults = { location: config.location, project: config.project, repository: config.repository };

  /** A repository named in full, by ID (defaults fill the rest), or the configured default. */
  const repository = (input?: string): ArRepositoryRef => completeArRepository(input, defaults);
  /** A full reference (it starts with a registry host), or a repository ID completed from the defaults. */
  const reference = (input: string): ArReference =>
    input.split('/', 1)[0]!.includes('.') ? parseArReference(input) : repository(input);

  const required = (value: string | undefined, what: 'project' | 'location'): string => {
    if (value) return value;
    throw new ArCoreError(
      'AR_CORE_MISSING_DEFAULT',
      `No ${what} given, and no default ${what} is configured.`,
    );
  };

  /** An image named in full (`LOCATION-docker.pkg.dev/P/R/IMAGE:TAG`), or completed from the defaults (`app:1`). */
  const image = (input: string): ArImageRef => completeArImage(input, defaults);
  /** An image to move: as `image`, and skopeo's `docker://` spelling of the same. */
  const imageName = (input: string): ArImageRef => image(input.replace(/^docker:\/\//, ''));
  const location = (input: LocationInput): ImageLocation =>
    typeof input === 'string' ? userLocation(input, defaults) : input;

  const repositories = repositoriesApi(rest);
  const images = imagesApi(rest);
  const prunes = pruneApi(rest);
  const registry = RegistryClient.fromConfig(config, { credentials: auth.registryCredential, ...http });
  const direct = directReads(registry, repositories);
  const reads = options.cache ? cachedReads(direct, options.cache) : direct;
  const ops = imageOps(registry, reads);
  /**
   * A write through this client clears what its cache kept of the repository written, so the
   * client's next read shows it (even when the write failed part way: it may have moved a tag).
   */
  const writing = <T>(destination: ImageLocation, write: Promise<T>): Promise<T> =>
    destination.kind === 'registry'
      ? write.finally(() =>
          reads.forget(
            typeof destination.ref === 'string' ? parseImageRef(destination.ref) : destination.ref,
          ),
        )
      : write;
  /** Engine flows, set up on first use: dockerode loads only for engine operations. */
  let engine: Promise<{ ops: EngineOps; close: () => Promise<void> }> | undefined;
  const engineFlows = async (): Promise<EngineOps> => {
    engine ??= Promise.all([import('./engine-ops.js'), import('@ar/docker')]).then(
      ([{ engineOps }, { DockerodeEngine, resolveEngineConnection }]) => {
        const chosen = options.engine ?? new DockerodeEngine(resolveEngineConnection(config.docker));
        return {
          ops: engineOps({
            engine: chosen,
            registry,
            credentials: auth.registryCredential,
            tempDir: options.tempDir,
          }),
          close: () => chosen.close(),
        };
      },
    );
    return (await engine).ops;
  };

  return {
    config,
    auth,
    registry,
    repositories: {
      list: async (options = {}) =>
        repositories.list(
          required(options.project ?? config.project, 'project'),
          required(options.location ?? config.location, 'location'),
          options.limit,
        ),
      describe: (input) => repositories.get(repository(input)),
      create: (input, options) => repositories.create(repository(input), options),
      setCleanupPolicies: (input, settings) => repositories.setCleanupPolicies(repository(input), settings),
    },
    images: {
      list: (input, options = {}) =>
        images.list(input === undefined ? repository() : reference(input), options),
      describe: async (input, options = {}) => ops.describe(image(input), { fresh: options.fresh === true }),
      resolve: async (input, options = {}) => ops.resolve(image(input), { fresh: options.fresh === true }),
      delete: async (input, options) => {
        const target = image(input);
        return writing(arImageLocation(target), ops.delete(target, options));
      },
      prune: async (input, options) => {
        const target = input === undefined ? repository() : reference(input);
        const result = await prune(
          prunes,
          target,
          await inUseDigests(registry, options.inUse ?? [], options.signal),
          options,
        );
        // What the cache kept of a pruned image (its tags, its manifests by digest) is gone upstream.
        for (const image of new Set(result.deleted.map((version) => version.package)))
          reads.forget(arImageRef({ ...target, kind: 'image', image }));
        return result;
      },
    },
    push: async (source, target, options) => {
      const to = location(target);
      return writing(to, ops.copy(location(source), to, options));
    },
    pull: async (source, destination, options) => ops.copy(location(source), location(destination), options),
    copy: async (source, destination, options) => {
      const to = location(destination);
      return writing(to, ops.copy(location(source), to, options));
    },
    tag: async (source, target) => {
      const to = arImageLocation(imageName(target));
      return writing(to, ops.copy(arImageLocation(imageName(source)), to));
    },
    copyTree: async (source, destination, options = {}) => {
      const to = parseRepositoryPrefix(destination, defaults);
      const result = await copyTree(
        registry,
        (repository) => images.list(repository),
        parseRepositoryPrefix(source, defaults),
        to,
        {
          ...options,
          jobs: options.jobs ?? config.transfer.jobs,
          maxConcurrentBlobs: options.maxConcurrentBlobs ?? config.transfer.concurrency,
        },
      );
      // Once per destination repository written (`HOST/REPOSITORY`), not once per image.
      const written = new Set(
        result.images.filter((image) => image.status === 'copied').map((image) => image.destination),
      );
      for (const destination of written) reads.forget(parseImageRef(destination));
      return result;
    },
    engine: {
      push: async (source, target, options) =>
        (await engineFlows()).push(source, arImageRef(imageName(target)), options),
      pull: async (input, options) => (await engineFlows()).pull(arImageRef(imageName(input)), options),
      tag: async (source, target) => (await engineFlows()).tag(source, arImageRef(imageName(target))),
    },
    check: (options = {}) =>
      checkHealth(
        {
          auth,
          registry,
          apiUrl: config.endpoints.artifactRegistryUrl,
          listRepositories: (project, location, limit) => repositories.list(project, location, limit),
        },
        options,
      ),
    close: async () => {
      await Promise.all([registry.close(), engine?.then((flows) => flows.close())]);
    },
    configureDocker(hosts, options = {}) {
      return configureDocker({
        configDir: config.docker.configDir,
        hosts: options.allLocations ? [...hosts, ...allArtifactRegistryHosts()] : hosts,
        ...(options.dryRun ? { dryRun: true } : {}),
      });
    },
  };
}
