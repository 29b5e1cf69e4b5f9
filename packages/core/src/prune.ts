import {
  type CleanupPlan,
  type CleanupPolicy,
  type PlannedVersion,
  planCleanup,
  type VersionInfo,
} from '@ar/cleanup-policy';
import { isArError } from '@ar/errors';
import { type ArReference, arRepositoryResourceName, tryParseArImage } from '@ar/image-ref';
import type { RegistryClient } from '@ar/registry';
import pLimit from 'p-limit';
import { arImageRef } from './locations.js';
import type { RestClient } from './rest.js';

export interface PruneOptions {
  /** The policies to evaluate (a gcloud file through `parsePolicyFile`, or `policiesFromShorthands`). */
  policies: readonly CleanupPolicy[];
  /** Delete versions tags still point to, when a policy says so. Default false: tagged versions stay. */
  deleteTagged?: boolean;
  /** Image references that are deployed (`…/app:1`, `…/app@sha256:…`): their versions stay. */
  inUse?: readonly string[];
  /** Delete what the plan says; default false (a dry run: only the plan). */
  apply?: boolean;
  /** Deletions in flight at once. Default 8. */
  concurrency?: number;
  /** The time the plan is for (ms). Default now. */
  now?: number;
  signal?: AbortSignal;
}

export interface PruneResult {
  plan: CleanupPlan;
  /** In-use references that named no version here (another registry, a tag that does not exist). */
  unresolvedInUse: string[];
  applied: boolean;
  /** Versions deleted (or found already gone), with apply. */
  deleted: PlannedVersion[];
  /** Versions that could not be deleted, and why; a rerun retries them. */
  failed: Array<{ version: PlannedVersion; error: Error }>;
}

/** What the executor deletes through; AR's REST API in `@ar/core`, anything in a test. */
export interface PruneTarget {
  deleteTag(pkg: string, tag: string, signal?: AbortSignal): Promise<void>;
  deleteVersion(pkg: string, version: string, signal?: AbortSignal): Promise<void>;
}

interface DockerImage {
  uri: string;
  tags?: string[];
  uploadTime?: string;
  mediaType?: string;
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/** A version or tag that is not there any more was deleted by an earlier, interrupted run. */
async function gone(deletion: Promise<void>): Promise<void> {
  try {
    await deletion;
  } catch (error) {
    if (!isArError(error, 'AR_REST_NOT_FOUND')) throw error;
  }
}

/**
 * Deletes the plan's deletions: first every tag they carry, then the versions, indexes before
 * the manifests they list, at most `concurrency` requests at once. Resumable: what is already gone
 * counts as deleted, so a rerun after an interruption finishes the job. A version whose tag could
 * not be deleted is not attempted.
 */
export async function executePrune(
  deletions: readonly PlannedVersion[],
  target: PruneTarget,
  options: {
    concurrency?: number;
    isIndex?: (version: PlannedVersion) => boolean;
    signal?: AbortSignal;
  } = {},
): Promise<Pick<PruneResult, 'deleted' | 'failed'>> {
  const limit = pLimit(options.concurrency ?? 8);
  /** Runs `work` over `items`, `concurrency` at once; `work` records its own failures. */
  const each = <T>(items: readonly T[], work: (item: T) => Promise<void>) =>
    Promise.all(items.map((item) => limit(() => work(item))));
  const failures = new Map<PlannedVersion, Error>();
  const tags = deletions.flatMap((version) => version.tags.map((tag) => ({ version, tag })));
  await each(tags, async ({ version, tag }) => {
    try {
      await gone(target.deleteTag(version.package, tag, options.signal));
    } catch (error) {
      failures.set(version, error as Error);
    }
  });
  const isIndex = options.isIndex ?? (() => false);
  const deleted: PlannedVersion[] = [];
  for (const wave of [deletions.filter(isIndex), deletions.filter((version) => !isIndex(version))]) {
    await each(
      wave.filter((version) => !failures.has(version)),
      async (version) => {
        try {
          await gone(target.deleteVersion(version.package, version.version, options.signal));
          deleted.push(version);
        } catch (error) {
          failures.set(version, error as Error);
        }
      },
    );
  }
  const order = new Map(deletions.map((version, index) => [version, index]));
  deleted.sort((a, b) => order.get(a)! - order.get(b)!);
  return {
    deleted,
    failed: [...failures]
      .map(([version, error]) => ({ version, error }))
      .sort((a, b) => order.get(a.version)! - order.get(b.version)!),
  };
}

/** The REST calls a prune makes on one repository. */
export function pruneApi(rest: RestClient) {
  const packagePath = (repository: ArReference, pkg: string) =>
    `${arRepositoryResourceName(repository)}/packages/${encodeURIComponent(pkg)}`;
  return {
    /** Every version of the repository (or of one image), with tags, upload time and media type. */
    async versions(reference: ArReference): Promise<Array<VersionInfo & { mediaType: string | undefined }>> {
      const repositoryPath = `${arRepositoryResourceName(reference)}`;
      const images = await rest.listAll<DockerImage>(`${repositoryPath}/dockerImages`, 'dockerImages');
      const wanted = reference.kind === 'image' ? reference.image : undefined;
      return images
        .map((image) => {
          const at = image.uri.lastIndexOf('@');
          // uri: HOST/PROJECT/REPOSITORY/IMAGE@DIGEST; the package is IMAGE.
          const pkg = image.uri.slice(0, at).split('/').slice(3).join('/');
          return {
            package: pkg,
            version: image.uri.slice(at + 1),
            tags: image.tags ?? [],
            createTime: image.uploadTime === undefined ? 0 : Date.parse(image.uploadTime),
            mediaType: image.mediaType,
          };
        })
        .filter((version) => wanted === undefined || version.package === wanted);
    },

    target(repository: ArReference): PruneTarget {
      return {
        async deleteTag(pkg, tag, signal) {
          await rest.request(
            'DELETE',
            `${packagePath(repository, pkg)}/tags/${encodeURIComponent(tag)}`,
            undefined,
            signal ? { signal } : {},
          );
        },
        async deleteVersion(pkg, version, signal) {
          await rest.request(
            'DELETE',
            `${packagePath(repository, pkg)}/versions/${version}`,
            undefined,
            signal ? { signal } : {},
          );
        },
      };
    },
  };
}

/**
 * Plans a prune of a repository (or one image) with `planCleanup`, protecting tagged versions
 * (unless `deleteTagged`) and the in-use digests, then with `apply` runs `executePrune`.
 */
/**
 * Deployed references → the digests they name: pinned ones as written, Artifact Registry tags
 * through the registry (fresh: a deployment follows the tag as it is now). The rest are reported.
 */
export async function inUseDigests(
  registry: Pick<RegistryClient, 'getManifest'>,
  references: readonly string[],
  signal?: AbortSignal,
): Promise<{ digests: Set<string>; unresolved: string[] }> {
  const digests = new Set<string>();
  const unresolved: string[] = [];
  for (const text of references) {
    const pinned = /@(sha256:[0-9a-f]{64})$/.exec(text);
    const parsed = pinned === null ? tryParseArImage(text.replace(/^docker:\/\//, '')) : undefined;
    if (pinned !== null) digests.add(pinned[1]!);
    else if (parsed?.ok) {
      try {
        digests.add((await registry.getManifest(arImageRef(parsed.value), signal ? { signal } : {})).digest);
      } catch (error) {
        if (!isArError(error) || error.kind !== 'NOT_FOUND') throw error;
        unresolved.push(text);
      }
    } else unresolved.push(text);
  }
  return { digests, unresolved };
}

export async function prune(
  api: ReturnType<typeof pruneApi>,
  reference: ArReference,
  inUse: { digests: ReadonlySet<string>; unresolved: string[] },
  options: PruneOptions,
): Promise<PruneResult> {
  const versions = await api.versions(reference);
  const plan = planCleanup(options.policies, versions, options.now ?? Date.now(), {
    keepTagged: !options.deleteTagged,
    inUse: inUse.digests,
  });
  const result: PruneResult = {
    plan,
    unresolvedInUse: inUse.unresolved,
    applied: options.apply === true,
    deleted: [],
    failed: [],
  };
  if (!options.apply) return result;
  const mediaTypes = new Map(
    versions.map((version) => [`${version.package}@${version.version}`, version.mediaType]),
  );
  const executed = await executePrune(plan.deletions, api.target(reference), {
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    isIndex: (version) => INDEX_TYPES.has(mediaTypes.get(`${version.package}@${version.version}`) ?? ''),
  });
  return { ...result, ...executed };
}

/** One version of a prune, as both apps show it (CLI `--format json`, the API's answer). */
export interface PruneReportRow {
  package: string;
  digest: string;
  tags: string[];
  /** Upload time, ISO 8601. */
  createTime: string;
  ageSeconds: number;
  /** `delete` in a dry run; `deleted` or `failed` once applied. */
  action: 'keep' | 'delete' | 'deleted' | 'failed';
  /** The deciding policy (for a protected version, the DELETE policy it was kept from). */
  policy: string | null;
  protectedBy: 'tagged' | 'in-use' | null;
  /** Why a deletion failed. */
  error?: string;
}

export function pruneReport(result: PruneResult): PruneReportRow[] {
  const failures = new Map(result.failed.map((failure) => [failure.version, failure.error]));
  return result.plan.versions.map((version) => {
    const error = failures.get(version);
    const action =
      version.action === 'keep'
        ? 'keep'
        : !result.applied
          ? 'delete'
          : error === undefined
            ? 'deleted'
            : 'failed';
    return {
      package: version.package,
      digest: version.version,
      tags: [...version.tags],
      createTime: new Date(version.createTime).toISOString(),
      ageSeconds: Math.floor(version.ageMs / 1000),
      action,
      policy: version.policy ?? null,
      protectedBy: version.protectedBy ?? null,
      ...(error === undefined ? {} : { error: error.message }),
    };
  });
}
