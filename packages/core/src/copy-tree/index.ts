import type { RegistryClient } from '@ar/registry';
import type { TransferProgressListener } from '../progress.js';
import { executePlan, type TreeImageReport } from './execute.js';
import { type ArImageLister, listSourceImages } from './list.js';
import { planTree } from './plan.js';
import { formatPrefix, type RepositoryPrefix } from './prefix.js';

export type { TreeImageReport } from './execute.js';
export { parseRepositoryPrefix, type RepositoryPrefix } from './prefix.js';

export interface TreeCopyOptions {
  /** Untagged versions too, where the source lists them (Artifact Registry, gcr.io); copied by digest. */
  readonly includeUntagged?: boolean;
  /** List and plan only: nothing is written. */
  readonly dryRun?: boolean;
  /** Images in flight at once; default the config's `transfer.jobs`. */
  readonly jobs?: number;
  /** Blob writes in flight at once over the whole run; default the config's `transfer.concurrency`. */
  readonly maxConcurrentBlobs?: number;
  readonly onProgress?: TransferProgressListener;
  readonly signal?: AbortSignal;
}

export interface TreeCopyResult {
  readonly source: string;
  readonly destination: string;
  readonly dryRun: boolean;
  /** One entry per image (digest) found under the source prefix. */
  readonly images: readonly TreeImageReport[];
  readonly totals: {
    readonly images: number;
    readonly copied: number;
    readonly skipped: number;
    readonly failed: number;
    /** Blobs sent, mounted and found already there, over every copied image. */
    readonly blobs: { readonly written: number; readonly mounted: number; readonly existing: number };
  };
}

/**
 * `gar copy --recursive`: every image under `from` to the same path under `to`, as three steps:
 * list the source (see `listSourceImages`), plan against the destination (HEAD by digest and
 * tag: an image already there is skipped, which makes a rerun resume), execute the copies.
 */
export async function copyTree(
  registry: RegistryClient,
  listAr: ArImageLister,
  from: RepositoryPrefix,
  to: RepositoryPrefix,
  options: TreeCopyOptions & { readonly jobs: number; readonly maxConcurrentBlobs: number },
): Promise<TreeCopyResult> {
  const { jobs, signal } = options;
  const common = { jobs, ...(signal ? { signal } : {}) };
  const images = await listSourceImages(registry, listAr, from, {
    ...common,
    ...(options.includeUntagged ? { includeUntagged: true } : {}),
  });
  const plan = await planTree(registry, images, from, to, common);
  const reports = await executePlan(registry, plan, from, to, {
    ...common,
    blobs: options.maxConcurrentBlobs,
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const count = (status: TreeImageReport['status']) => reports.filter((r) => r.status === status).length;
  const blobs = { written: 0, mounted: 0, existing: 0 };
  for (const report of reports) {
    blobs.written += report.blobs?.written ?? 0;
    blobs.mounted += report.blobs?.mounted ?? 0;
    blobs.existing += report.blobs?.existing ?? 0;
  }
  return {
    source: formatPrefix(from),
    destination: formatPrefix(to),
    dryRun: options.dryRun === true,
    images: reports,
    totals: {
      images: reports.length,
      copied: count('copied'),
      skipped: count('skipped'),
      failed: count('failed'),
      blobs,
    },
  };
}
