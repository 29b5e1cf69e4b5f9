import { type CleanupPolicy, policiesToRest } from '@ar/cleanup-policy';
import { type ArRepositoryRef, arRepositoryResourceName } from '@ar/image-ref';
import type { RestClient } from './rest.js';

export type RepositoryMode = 'STANDARD_REPOSITORY' | 'REMOTE_REPOSITORY' | 'VIRTUAL_REPOSITORY';

export interface UpstreamPolicy {
  id?: string;
  /** `projects/P/locations/L/repositories/R`. */
  repository: string;
  priority: number;
}

/** A repository as the REST API describes it. */
export interface Repository {
  name: string;
  format: string;
  mode?: RepositoryMode;
  description?: string;
  createTime?: string;
  updateTime?: string;
  sizeBytes?: string;
  dockerConfig?: { immutableTags?: boolean };
  virtualRepositoryConfig?: { upstreamPolicies?: UpstreamPolicy[] };
  remoteRepositoryConfig?: {
    description?: string;
    dockerRepository?: { customRepository?: { uri?: string }; publicRepository?: string };
  };
  /** REST form: id → policy (read it with `policiesFromRest`). */
  cleanupPolicies?: Record<string, unknown>;
  cleanupPolicyDryRun?: boolean;
}

export interface CreateRepositoryOptions {
  mode?: RepositoryMode;
  description?: string;
  immutableTags?: boolean;
  /** REMOTE_REPOSITORY: the upstream registry URL. */
  remoteUrl?: string;
  /** VIRTUAL_REPOSITORY: upstream repositories by priority. */
  upstreams?: UpstreamPolicy[];
}

interface Operation {
  name: string;
  done?: boolean;
  error?: { message?: string };
}

/** Upstream policies, highest priority first, as a virtual repository consults them. */
export function upstreamsByPriority(repository: Repository): UpstreamPolicy[] {
  return [...(repository.virtualRepositoryConfig?.upstreamPolicies ?? [])].sort(
    (a, b) => b.priority - a.priority,
  );
}

export function repositoriesApi(rest: RestClient) {
  return {
    list(project: string, location: string, limit?: number): Promise<Repository[]> {
      return rest.listAll<Repository>(
        `projects/${project}/locations/${location}/repositories`,
        'repositories',
        limit,
      );
    },

    get(repository: ArRepositoryRef): Promise<Repository> {
      return rest.request<Repository>('GET', arRepositoryResourceName(repository));
    },

    /** PATCH with the update mask gcloud's `set-cleanup-policies` sends: only what is given changes. */
    setCleanupPolicies(
      repository: ArRepositoryRef,
      settings: { policies?: readonly CleanupPolicy[]; dryRun?: boolean },
    ): Promise<Repository> {
      const mask = [
        ...(settings.policies === undefined ? [] : ['cleanupPolicies']),
        ...(settings.dryRun === undefined ? [] : ['cleanupPolicyDryRun']),
      ];
      const body = {
        ...(settings.policies === undefined ? {} : { cleanupPolicies: policiesToRest(settings.policies) }),
        ...(settings.dryRun === undefined ? {} : { cleanupPolicyDryRun: settings.dryRun }),
      };
      return rest.request<Repository>(
        'PATCH',
        `${arRepositoryResourceName(repository)}?updateMask=${mask.join(',')}`,
        body,
      );
    },

    /** Creates the repository and waits for the operation (Google's create is long-running). */
    async create(repository: ArRepositoryRef, options: CreateRepositoryOptions = {}): Promise<Repository> {
      const mode = options.mode ?? 'STANDARD_REPOSITORY';
      const body: Record<string, unknown> = {
        format: 'DOCKER',
        mode,
        ...(options.description ? { description: options.description } : {}),
        ...(options.immutableTags ? { dockerConfig: { immutableTags: true } } : {}),
        ...(mode === 'REMOTE_REPOSITORY' && options.remoteUrl
          ? { remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: options.remoteUrl } } } }
          : {}),
        ...(mode === 'VIRTUAL_REPOSITORY'
          ? { virtualRepositoryConfig: { upstreamPolicies: options.upstreams ?? [] } }
          : {}),
      };
      const parent = `projects/${repository.project}/locations/${repository.location}`;
      // Retried like a GET: the caller names the repository (repositoryId), so a repeat can never
      // create a second one. A 429/503 means nothing was created; if an answer is lost after the
      // create, the repeat is refused with ALREADY_EXISTS, which is also what is true.
      let operation = await rest.request<Operation>(
        'POST',
        `${parent}/repositories?repositoryId=${encodeURIComponent(repository.repository)}`,
        body,
        { idempotent: true },
      );
      for (let wait = 250; !operation.done; wait = Math.min(wait * 2, 5_000)) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        operation = await rest.request<Operation>('GET', operation.name);
      }
      return this.get(repository);
    },
  };
}
