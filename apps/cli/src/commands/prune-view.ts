import type { PlannedVersion, PruneResult } from '@ar/core';

/** What happened to a version, in the words of the table and `--format json`. */
function outcome(version: PlannedVersion, result: PruneResult): string {
  if (version.action === 'keep') return 'keep';
  if (!result.applied) return 'delete';
  if (result.failed.some((failure) => failure.version === version)) return 'failed';
  return 'deleted';
}

const DAY = 86_400_000;
const age = (ms: number) => (ms >= DAY ? `${Math.floor(ms / DAY)}d` : `${Math.floor(ms / 3_600_000)}h`);

/** One row per version: package, digest, tags, age, keep/delete, the deciding policy. */
export function pruneRows(result: PruneResult) {
  return result.plan.versions.map((version) => ({
    package: version.package,
    digest: version.version,
    tags: version.tags,
    age: age(version.ageMs),
    createTime: new Date(version.createTime).toISOString(),
    action: outcome(version, result),
    policy: version.policy ?? null,
    protectedBy: version.protectedBy ?? null,
  }));
}

export type PruneRow = ReturnType<typeof pruneRows>[number];

export const PRUNE_COLUMNS = [
  { header: 'PACKAGE', value: (row: PruneRow) => row.package },
  { header: 'DIGEST', value: (row: PruneRow) => row.digest.slice(0, 19) },
  { header: 'TAGS', value: (row: PruneRow) => row.tags.join(',') },
  { header: 'AGE', value: (row: PruneRow) => row.age },
  { header: 'ACTION', value: (row: PruneRow) => row.action },
  {
    header: 'POLICY',
    value: (row: PruneRow) =>
      row.protectedBy === null ? (row.policy ?? '') : `${row.policy} (kept: ${row.protectedBy})`,
  },
];

/** The closing line, on stderr so that `--format json` stays clean. */
export function pruneSummary(result: PruneResult): string {
  const total = result.plan.versions.length;
  const chosen = result.plan.deletions.length;
  const protectedCount = result.plan.versions.filter((v) => v.protectedBy !== undefined).length;
  const kept = protectedCount > 0 ? `; ${protectedCount} kept only because tagged or in use` : '';
  const unresolved =
    result.unresolvedInUse.length > 0
      ? `\nIn-use references that name nothing here (ignored): ${result.unresolvedInUse.join(', ')}`
      : '';
  if (!result.applied) {
    return `Dry run: ${chosen} of ${total} versions would be deleted${kept}. Run again with --apply to delete them.${unresolved}\n`;
  }
  const failed = result.failed
    .map((f) => `\n  ${f.version.package}@${f.version.version}: ${f.error.message}`)
    .join('');
  return `Deleted ${result.deleted.length} of ${total} versions${kept}.${result.failed.length > 0 ? ` ${result.failed.length} failed (run again to retry):${failed}` : ''}${unresolved}\n`;
}
