import { parseDuration } from './duration.js';
import type { CleanupCondition, CleanupPolicy } from './schema.js';

/** One version of a package, as the planner needs it (AR's REST `versions`/`dockerImages`). */
export interface VersionInfo {
  /** The package (image path inside the repository): `team/api`. */
  package: string;
  /** The version name: for Docker, the manifest digest. */
  version: string;
  tags: readonly string[];
  /** When the version was uploaded, in ms since the epoch (AR's createTime/uploadTime). */
  createTime: number;
}

/** Why a version that policies would delete stays: the planner's safety rails, not a policy. */
export type Protection = 'tagged' | 'in-use';

export interface PlannedVersion extends VersionInfo {
  ageMs: number;
  action: 'keep' | 'delete';
  /**
   * The policy that decided (the first by id among those that matched the winning action), or
   * undefined when no policy matched (kept).
   */
  policy: string | undefined;
  /** Set when a protection overrode a delete (then `policy` is the DELETE policy that matched). */
  protectedBy?: Protection;
}

export interface PlanOptions {
  /** Keep every version a tag points to, whatever the policies say (`gar images prune`'s default). */
  keepTagged?: boolean;
  /** Version names (digests) that must stay: what is deployed. */
  inUse?: ReadonlySet<string>;
}

export interface CleanupPlan {
  /** Every version, by package then newest first. */
  versions: PlannedVersion[];
  /** The versions to delete, in the same order. */
  deletions: PlannedVersion[];
}

const byId = (a: CleanupPolicy, b: CleanupPolicy) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Newest first; ties by version name, so that the order never depends on the input's. */
function newestFirst(a: VersionInfo, b: VersionInfo): number {
  if (a.createTime !== b.createTime) return b.createTime - a.createTime;
  return a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
}

const startsWithAny = (value: string, prefixes: readonly string[] | undefined) =>
  prefixes === undefined || prefixes.length === 0 || prefixes.some((prefix) => value.startsWith(prefix));

function conditionMatches(condition: CleanupCondition, version: VersionInfo, ageMs: number): boolean {
  const tagged = version.tags.length > 0;
  if (condition.tagState === 'TAGGED' && !tagged) return false;
  if (condition.tagState === 'UNTAGGED' && tagged) return false;
  const tagPrefixes = condition.tagPrefixes ?? [];
  if (tagPrefixes.length > 0 && !version.tags.some((tag) => startsWithAny(tag, tagPrefixes))) return false;
  if (!startsWithAny(version.version, condition.versionNamePrefixes)) return false;
  if (!startsWithAny(version.package, condition.packageNamePrefixes)) return false;
  if (condition.olderThan !== undefined && !(ageMs > parseDuration(condition.olderThan))) return false;
  if (condition.newerThan !== undefined && !(ageMs < parseDuration(condition.newerThan))) return false;
  return true;
}

/**
 * What AR's cleanup policies do to a repository's versions at `now`: a version is deleted when at
 * least one DELETE policy matches it and no KEEP policy does (KEEP wins). A `mostRecentVersions`
 * policy matches the `keepCount` newest versions of each package its prefixes select. Pure: the
 * same policies, versions (in any order) and time give the same plan.
 */
export function planCleanup(
  policies: readonly CleanupPolicy[],
  versions: readonly VersionInfo[],
  now: number,
  options: PlanOptions = {},
): CleanupPlan {
  const sorted = [...versions].sort(
    (a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : 0) || newestFirst(a, b),
  );
  const ordered = [...policies].sort(byId);
  // Rank of each version within its package, newest first, for mostRecentVersions.
  const rank = new Map<VersionInfo, number>();
  let previous: string | undefined;
  let index = 0;
  for (const version of sorted) {
    index = version.package === previous ? index + 1 : 0;
    previous = version.package;
    rank.set(version, index);
  }
  const matches = (policy: CleanupPolicy, version: VersionInfo, ageMs: number) => {
    const recent = policy.mostRecentVersions;
    if (recent !== undefined) {
      return (
        startsWithAny(version.package, recent.packageNamePrefixes) && rank.get(version)! < recent.keepCount
      );
    }
    return conditionMatches(policy.condition ?? {}, version, ageMs);
  };
  const planned = sorted.map((version): PlannedVersion => {
    const ageMs = now - version.createTime;
    const matching = ordered.filter((policy) => matches(policy, version, ageMs));
    const keep = matching.find((policy) => policy.action === 'KEEP');
    const remove = matching.find((policy) => policy.action === 'DELETE');
    const base = { ...version, tags: [...version.tags], ageMs };
    if (keep !== undefined || remove === undefined) return { ...base, action: 'keep', policy: keep?.id };
    const protectedBy: Protection | undefined = options.inUse?.has(version.version)
      ? 'in-use'
      : options.keepTagged && version.tags.length > 0
        ? 'tagged'
        : undefined;
    if (protectedBy !== undefined) return { ...base, action: 'keep', policy: remove.id, protectedBy };
    return { ...base, action: 'delete', policy: remove.id };
  });
  return { versions: planned, deletions: planned.filter((version) => version.action === 'delete') };
}
