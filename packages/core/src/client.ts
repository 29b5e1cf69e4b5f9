import {
  type Auth,
  allArtifactRegistryHosts,
  builtinSources,
  type ConfigureDockerResult,
  configureDocker,
  createAuth,
  type TokenSource,
} from '@ar/auth';
import type { ArResolvedConfig } from '@ar/config';
import type {
  DockerClient,
  PullOptions as EnginePullOptions,
  PushOptions as EnginePushOptions,
} from '@ar/docker';
import {
  type ArImageRef,
  type ArReference,
  type ArRepositoryRef,
  completeArImage,
  completeArRepository,
  formatArReference,
  parseArReference,
} from '@ar/image-ref';
import { RegistryClient, registryClientOptionsFromConfig } from '@ar/registry';
import { formatRequestLogEvent, type HostPolicy, type RequestLogEvent } from '@ar/registry/http';
import { ArCoreError } from './errors.js';
import { imageOps, type TransferOptions } from './image-ops.js';
import { imagesApi } from './images.js';
import { repositoriesApi } from './repositories.js';
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
}

export type ArClient = ReturnType<typeof createClient>;

/**
 * The facade: every operation over one resolved config (see `resolveConfig` in @ar/config).
 */
export function createClient(config: ArResolvedConfig, options: ClientOptions = {}) {
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
  /** A registry image name completed from the defaults; local locations (`oci:`, `docker-archive:`) pass through. */
  const imageLocation = (input: string): string =>
    /^(oci|docker-archive):/.test(input) ? input : imageName(input);
  const imageName = (input: string): string => formatArReference(image(input.replace(/^docker:\/\//, '')));

  const repositories = repositoriesApi(rest);
  const images = imagesApi(rest);
  const registry = RegistryClient.fromConfig(config, { credentials: auth.registryCredential, ...http });
  const ops = imageOps(registry, repositories);
  /** The Docker engine, connected on first use: dockerode loads only for engine operations. */
  let engine: Promise<DockerClient> | undefined;
  const docker = () => {
    engine ??= import('@ar/docker').then(({ createDockerClient }) =>
      createDockerClient(config, { credentials: auth.registryCredential, registry }),
    );
    return engine;
  };

  return {
    config,
    auth,
    repositories: {
      list: async (options: { project?: string; location?: string; limit?: number } = {}) =>
        repositories.list(
          required(options.project ?? config.project, 'project'),
          required(options.location ?? config.location, 'location'),
          options.limit,
        ),
      describe: (input?: string) => repositories.get(repository(input)),
      create: (input: string, options?: Parameters<typeof repositories.create>[1]) =>
        repositories.create(repository(input), options),
    },
    images: {
      list: (input: string | undefined, options: { limit?: number } = {}) =>
        images.list(input === undefined ? repository() : reference(input), options),
      describe: async (input: string) => ops.describe(image(input)),
      resolve: async (input: string) => ops.resolve(image(input)),
      delete: async (input: string, options?: { deleteTags?: boolean }) => ops.delete(image(input), options),
    },
    /** Pushes `oci:DIR[:TAG]` or `docker-archive:FILE` to an image name (blobs first, the tag last). */
    push: async (source: string, target: string, options?: TransferOptions) =>
      ops.copy(source, imageName(target), options),
    /** Pulls an image to `oci:DIR` or `docker-archive:FILE`, verifying every digest before anything is written. */
    pull: async (source: string, destination: string, options?: TransferOptions) =>
      ops.copy(imageName(source), destination, options),
    engine: {
      /**
       * Pushes an image that lives in the Docker engine, as `docker tag` + `docker push` do, with
       * fresh credentials from the chain (`via: 'direct'` streams `docker save` into the registry
       * client instead).
       */
      push: async (source: string, target: string, options: Omit<EnginePushOptions, 'source'> = {}) =>
        (await docker()).push(imageName(target), { ...options, source }),
      /** Pulls into the Docker engine (`via: 'registry'` pulls with the registry client, then loads). */
      pull: async (image: string, options?: EnginePullOptions) =>
        (await docker()).pull(imageName(image), options),
      /** `docker tag`, with the target completed from the defaults and validated. */
      tag: async (source: string, target: string) => (await docker()).tag(source, imageName(target)),
    },
    /** Copies between registries, repositories, folders and tars; mounts blobs within one registry. */
    copy: async (source: string, destination: string, options?: TransferOptions) =>
      ops.copy(imageLocation(source), imageLocation(destination), options),
    /** Adds a tag in the registry without pulling: the manifest is copied, every blob is already there. */
    tag: async (source: string, target: string) => ops.copy(imageName(source), imageName(target)),
    registry,
    /** Releases connection pools and the engine connection. */
    close: async () => {
      await Promise.all([registry.close(), engine?.then((client) => client.close())]);
    },
    /** `gar auth configure-docker`: the named hosts, or every AR host with `allLocations`. */
    configureDocker(
      hosts: readonly string[],
      options: { allLocations?: boolean; dryRun?: boolean } = {},
    ): Promise<ConfigureDockerResult> {
      return configureDocker({
        configDir: config.docker.configDir,
        hosts: options.allLocations ? [...hosts, ...allArtifactRegistryHosts()] : hosts,
        ...(options.dryRun ? { dryRun: true } : {}),
      });
    },
  };
}
