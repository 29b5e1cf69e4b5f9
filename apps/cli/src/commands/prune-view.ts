import type { PruneReportRow, PruneResult } from '@ar/core';

const age = (seconds: number) =>
  seconds >= 86_400 ? `${Math.floor(seconds / 86_400)}d` : `${Math.floor(seconds / 3_600)}h`;

/** The table of `gar images prune`: package, digest, tags, age, keep/delete, the deciding policy. */
export const PRUNE_COLUMNS = [
  { header: 'PACKAGE', value: (row: PruneReportRow) => row.package },
  { header: 'DIGEST', value: (row: PruneReportRow) => row.digest.slice(0, 19) },
  { header: 'TAGS', value: (row: PruneReportRow) => row.tags.join(',') },
  { header: 'AGE', value: (row: PruneReportRow) => age(row.ageSeconds) },
  { header: 'ACTION', value: (row: PruneReportRow) => row.action },
  {
    header: 'POLICY',
    value: (row: PruneReportRow) =>
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
    .map((failure) => `\n  ${failure.version.package}@${failure.version.version}: ${failure.error.message}`)
    .join('');
  const failures =
    result.failed.length > 0 ? ` ${result.failed.length} failed (run again to retry):${failed}` : '';
  return `Deleted ${result.deleted.length} of ${total} versions${kept}.${failures}${unresolved}\n`;
}
