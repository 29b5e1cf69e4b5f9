import { type PlannedVersion, planCleanup, type VersionInfo } from '@ar/cleanup-policy';
import { repositoryResource } from '../auth/access.js';
import type { Artifacts } from '../registry/artifacts.js';
import type { RepositoryRecord } from '../store/metadata.js';

/** One evaluation of a repository's cleanup policies, as the emulator-only endpoint shows it. */
export interface CleanupRun {
  /** `projects/P/locations/L/repositories/R` */
  repository: string;
  /** When it ran (ISO 8601). */
  time: string;
  dryRun: boolean;
  /** Every version and what the policies decided (the same plan `@ar/core` computes client-side). */
  plan: PlannedVersion[];
  /** Versions removed (none in dry run). */
  deleted: Array<{ package: string; version: string }>;
  /** Versions the policies chose but an index the policies keep still lists (AR refuses those too). */
  skipped: Array<{ package: string; version: string; reason: string }>;
}

/** Runs kept per repository: enough for a test or a look back, bounded for a long-running emulator. */
const RUNS_KEPT = 20;

/**
 * Evaluates cleanup policies server-side, as AR does on its own schedule: the plan is
 * `@ar/cleanup-policy`'s (KEEP wins, mostRecentVersions per package); outside dry run the chosen
 * versions go with their tags, indexes before the manifests they list.
 */
export class CleanupRunner {
  readonly #runs = new Map<number, CleanupRun[]>();

  constructor(
    private readonly artifacts: Artifacts,
    private readonly now: () => number,
  ) {}

  /** Every repository with policies; what a scheduled run does. */
  runAll(): CleanupRun[] {
    return this.artifacts.store.repositoriesWithCleanupPolicies().map((repo) => this.run(repo));
  }

  run(repo: RepositoryRecord): CleanupRun {
    const store = this.artifacts.store;
    const now = this.now();
    const tags = store.tagsByVersion(repo.id);
    const versions: VersionInfo[] = store.manifests(repo.id).map((record) => ({
      package: record.image,
      version: record.digest,
      tags: tags.get(record.image)?.get(record.digest) ?? [],
      createTime: record.uploadedMs,
    }));
    const plan = planCleanup(repo.cleanupPolicies, versions, now);
    const run: CleanupRun = {
      repository: repositoryResource(repo),
      time: new Date(now).toISOString(),
      dryRun: repo.cleanupPolicyDryRun,
      plan: plan.versions,
      deleted: [],
      skipped: [],
    };
    if (!repo.cleanupPolicyDryRun) this.#delete(repo, plan.deletions, run);
    const runs = [...(this.#runs.get(repo.id) ?? []), run].slice(-RUNS_KEPT);
    this.#runs.set(repo.id, runs);
    return run;
  }

  /** The recorded runs of a repository, oldest first. */
  runs(repo: RepositoryRecord): CleanupRun[] {
    return this.#runs.get(repo.id) ?? [];
  }

  #delete(repo: RepositoryRecord, deletions: readonly PlannedVersion[], run: CleanupRun): void {
    const store = this.artifacts.store;
    // An index lists its children: delete in passes, each removing what nothing still lists.
    let pending = [...deletions];
    while (pending.length > 0) {
      const blocked = pending.filter((v) => store.parentsOf(repo.id, v.package, v.version).length > 0);
      const free = pending.filter((v) => !blocked.includes(v));
      if (free.length === 0) break;
      store.transaction(() => {
        for (const version of free) {
          store.deleteTagsOf(repo.id, version.package, version.version);
          store.deleteManifest(repo.id, version.package, version.version);
          run.deleted.push({ package: version.package, version: version.version });
        }
      });
      pending = blocked;
    }
    for (const version of pending) {
      const index = store.parentsOf(repo.id, version.package, version.version)[0];
      run.skipped.push({
        package: version.package,
        version: version.version,
        reason: `listed by index ${index}, which stays`,
      });
    }
  }
}
