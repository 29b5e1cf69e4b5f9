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
import {
  type ArReference,
  type ArRepositoryRef,
  completeArRepository,
  parseArReference,
} from '@ar/image-ref';
import { ArCoreError } from './errors.js';
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
}

export type ArClient = ReturnType<typeof createClient>;

/**
 * The facade: every operation over one resolved config (see `resolveConfig` in @ar/config).
 */
export function createClient(config: ArResolvedConfig, options: ClientOptions = {}) {
  const auth: Auth = createAuth(config, {
    sources: [...builtinSources(), ...(options.plugins ?? []).flatMap((plugin) => plugin.tokenSources ?? [])],
  });
  const rest = new RestClient({
    baseUrl: config.endpoints.artifactRegistryUrl,
    accessToken: async (request) => (await auth.accessToken(request)).token,
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
      `No ${what} given. Pass --${what}, or set one: \`gar\` reads it from GAR_${what.toUpperCase()}, ${what === 'project' ? 'CLOUDSDK_CORE_PROJECT' : 'CLOUDSDK_ARTIFACTS_LOCATION'} or the config file.`,
    );
  };

  const repositories = repositoriesApi(rest);
  const images = imagesApi(rest);

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
