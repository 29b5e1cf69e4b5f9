import type { z } from 'zod';
import type { Metrics } from '../metrics.js';
import { runPrune } from '../routes/prune.js';
import type * as s from '../schemas.js';
import { arListTarget, imageTarget } from '../targets.js';
import type { JobExecutor } from './types.js';

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
      const body = params as z.infer<typeof s.copyBody>;
      const source = imageTarget(body.source, allowed, 'source');
      const destination = imageTarget(body.destination, allowed, 'destination');
      const transfer = {
        signal,
        onProgress,
        ...(body.allTags ? { allTags: true } : {}),
        ...(body.platforms ? { platforms: body.platforms } : {}),
      };
      // Idempotent: blobs present are skipped and the tag is written last, so a job taken over
      // from a dead instance finishes with the same digests.
      return metrics.upstream('copy', () => client.copy(source.location, destination.location, transfer));
    },
    prune: (client, params, _onProgress, signal) => {
      const body = params as z.infer<typeof s.pruneJobRequest>;
      const repository = arListTarget(body.repository, allowed).reference;
      // Resumable: a tag or version already gone counts as deleted, so a job run again finishes.
      return metrics.upstream('prune', () => runPrune(client, { ...body, repository }, { signal }));
    },
  };
}
