import {
  type ArClient,
  type PruneResult,
  policiesFromFile,
  pruneReport,
  type TransferProgress,
} from '@ar/core';
import type { z } from 'zod';
import type { Metrics } from '../metrics.js';
import type * as s from '../schemas.js';
import { arListTarget, imageTarget, prefixTarget } from '../targets.js';
import type { JobExecutor } from './types.js';

type CopyBody = z.infer<typeof s.copyBody>;
type Transfer = { signal: AbortSignal; onProgress: (event: TransferProgress) => void };

/**
 * What a copy request names: the paths grants are checked against, and how it runs. One image (or
 * every tag of one repository) is @ar/core's registry copy; `recursive: true` is its `copyTree`
 * over two repository prefixes (the caller needs read on the whole source prefix and write on
 * the whole destination prefix; images that failed are in the result, `totals.failed`).
 */
export function copyTargets(
  body: CopyBody,
  allowed: (host: string) => boolean,
): { source: string; destination: string; run: (client: ArClient, transfer: Transfer) => Promise<unknown> } {
  if (body.recursive) {
    const source = prefixTarget(body.source, allowed, 'source').path;
    const destination = prefixTarget(body.destination, allowed, 'destination').path;
    const tree = body.includeUntagged ? { includeUntagged: true } : {};
    return {
      source,
      destination,
      run: (client: ArClient, transfer: Transfer) =>
        client.copyTree(source, destination, { ...transfer, ...tree }),
    };
  }
  const source = imageTarget(body.source, allowed, 'source');
  const destination = imageTarget(body.destination, allowed, 'destination');
  const image = {
    ...(body.allTags ? { allTags: true } : {}),
    ...(body.platforms ? { platforms: body.platforms } : {}),
  };
  return {
    source: source.path,
    destination: destination.path,
    run: (client: ArClient, transfer: Transfer) =>
      client.copy(source.location, destination.location, { ...transfer, ...image }),
  };
}

const report = (result: PruneResult): z.infer<typeof s.pruneResult> => ({
  applied: result.applied,
  versions: pruneReport(result),
  unresolvedInUse: result.unresolvedInUse,
});

export type PruneParams = z.infer<typeof s.pruneJobRequest>;

/** Plans (and with `apply`, runs) the prune a request names; the route's dry run and the job share it. */
export async function runPrune(
  client: ArClient,
  params: PruneParams,
  apply: { signal: AbortSignal } | undefined,
): Promise<z.infer<typeof s.pruneResult>> {
  const scope = params.image === undefined ? params.repository : `${params.repository}/${params.image}`;
  return report(
    await client.images.prune(scope, {
      policies: policiesFromFile(params.policies),
      deleteTagged: params.deleteTagged,
      inUse: params.inUse,
      ...(apply ? { apply: true, signal: apply.signal } : {}),
    }),
  );
}

/**
 * The job kinds this service runs, by name. A job's parameters are the request body that was
 * authorized when it was accepted; they are checked against `api.allowedHosts` again here,
 * since the instance that runs a job may be another one, with its own config.
 */
export function createExecutors(options: {
  allowed: (host: string) => boolean;
  metrics: Metrics;
}): Record<string, JobExecutor> {
  const { allowed, metrics } = options;
  return {
    copy: (client, params, onProgress, signal) => {
      const copy = copyTargets(params as CopyBody, allowed);
      // Idempotent: blobs present are skipped, images present are skipped, tags are written last,
      // so a job taken over from a dead instance finishes with the same digests.
      return metrics.upstream('copy', () => copy.run(client, { signal, onProgress }));
    },
    prune: (client, params, _onProgress, signal) => {
      const body = params as z.infer<typeof s.pruneJobRequest>;
      const repository = arListTarget(body.repository, allowed).reference;
      // Resumable: a tag or version already gone counts as deleted, so a job run again finishes.
      return metrics.upstream('prune', () => runPrune(client, { ...body, repository }, { signal }));
    },
  };
}
