import { isArError } from '@ar/errors';
import { copyImage, type RegistryClient, RegistryImageSink, RegistryImageSource } from '@ar/registry';
import pLimit from 'p-limit';
import { fromRegistryProgress, type TransferProgressListener } from '../progress.js';
import type { PlanEntry } from './plan.js';
import type { RepositoryPrefix } from './prefix.js';
import { type BlobLedger, SharedBlobSink } from './shared-blobs.js';

/** One image of a tree copy, as `gar copy --recursive --format json` prints it. */
export interface TreeImageReport {
  /** `HOST/REPOSITORY@DIGEST` at the source. */
  readonly source: string;
  /** `HOST/REPOSITORY` at the destination. */
  readonly destination: string;
  readonly digest: string;
  readonly tags: readonly string[];
  /** What the plan said, and why. */
  readonly action: 'copy' | 'skip';
  readonly reason: string;
  /** What happened; absent in a dry run. */
  readonly status?: 'copied' | 'skipped' | 'failed';
  /** The error code (and message) of a failure; `INTERNAL` for an error that is not the toolkit's (a bug). */
  readonly error?: { readonly code: string; readonly message: string };
  /** Blobs of a copied image: sent, mounted from elsewhere in the destination, already there. */
  readonly blobs?: { readonly written: number; readonly mounted: number; readonly existing: number };
}

export interface ExecuteOptions {
  readonly jobs: number;
  readonly blobs: number;
  readonly dryRun?: boolean;
  readonly onProgress?: TransferProgressListener;
  readonly signal?: AbortSignal;
}

function errorOf(error: unknown): { code: string; message: string } {
  return isArError(error)
    ? { code: error.code, message: error.message }
    : { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Carries out a plan: at most `jobs` images and `blobs` blob writes at once over the whole run,
 * layers shared between images sent once (see `SharedBlobSink`). Each image's tags are written
 * only after all its blobs and child manifests are in place (`copyImage`), so an interrupted run
 * leaves no tag naming an incomplete image. A failed image is reported and the others go on.
 */
export async function executePlan(
  registry: RegistryClient,
  plan: readonly PlanEntry[],
  from: RepositoryPrefix,
  to: RepositoryPrefix,
  options: ExecuteOptions,
): Promise<TreeImageReport[]> {
  const ledger: BlobLedger = new Map();
  const blobLimit = pLimit(options.blobs);
  const imageLimit = pLimit(options.jobs);
  const status = (message: string) => options.onProgress?.({ type: 'status', message });
  const registryProgress = options.onProgress && fromRegistryProgress(options.onProgress);

  return Promise.all(
    plan.map((entry) =>
      imageLimit(async (): Promise<TreeImageReport> => {
        if ('error' in entry) {
          const error = errorOf(entry.error);
          const report = {
            source: `${from.registry}/${entry.image.repository}@${entry.image.digest}`,
            destination: `${to.registry}/${entry.destinationRepository}`,
            digest: entry.image.digest,
            tags: entry.image.tags,
            action: 'copy',
            reason: 'the destination could not be checked',
          } as const;
          if (!options.dryRun) status(`failed ${report.source}: ${error.code}`);
          return options.dryRun ? { ...report, error } : { ...report, status: 'failed', error };
        }
        const report = {
          source: `${from.registry}/${entry.sourceRepository}@${entry.digest}`,
          destination: `${to.registry}/${entry.destinationRepository}`,
          digest: entry.digest,
          tags: entry.tags,
          action: entry.action,
          reason: entry.reason,
        };
        if (options.dryRun) return report;
        if (entry.action === 'skip') {
          status(`skipped ${report.source}: ${entry.reason}`);
          return { ...report, status: 'skipped' };
        }
        const source = new RegistryImageSource(registry, {
          registry: from.registry,
          repository: entry.sourceRepository,
          digest: entry.digest,
        });
        const sink = new SharedBlobSink(
          new RegistryImageSink(registry, { registry: to.registry, repository: entry.destinationRepository }),
          ledger,
          blobLimit,
        );
        try {
          const copied = await copyImage(source, sink, entry.missingTags, options.blobs, {
            concurrency: options.blobs,
            ...(registryProgress ? { onProgress: registryProgress } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          });
          status(
            `copied ${report.source} → ${report.destination}${entry.tags.length ? ` (${entry.tags.join(', ')})` : ''}`,
          );
          return { ...report, status: 'copied', blobs: copied.blobs };
        } catch (error) {
          const failure = errorOf(error);
          status(`failed ${report.source}: ${failure.code}: ${failure.message}`);
          return { ...report, status: 'failed', error: failure };
        }
      }),
    ),
  );
}
