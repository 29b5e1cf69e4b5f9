import { type PruneResult, policiesFromFile, pruneReport } from '@ar/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { authorize } from '../authz.js';
import * as s from '../schemas.js';
import { arRepositoryTarget } from '../targets.js';
import { type RouteContext, security } from './context.js';
import { renderJob } from './jobs.js';

const report = (result: PruneResult): z.infer<typeof s.pruneResult> => ({
  applied: result.applied,
  versions: pruneReport(result),
  unresolvedInUse: result.unresolvedInUse,
});

/**
 * `POST /v1/repositories/L/P/R:prune`: plan a prune by cleanup policy (the default, `dryRun: true`,
 * answered at once), or run it as a job (plan, then apply) for callers with the admin role.
 */
export const pruneRoutes: FastifyPluginAsyncZod<RouteContext> = async (v1, context) => {
  const { client, jobs, metrics, allowed } = context;
  v1.post(
    '/v1/repositories/:location/:project/:repository(^[a-z][a-z0-9-]*)::prune',
    {
      schema: {
        summary:
          'Prune a repository by cleanup policy: the plan (dryRun, default), or a job that plans then deletes. Admin role.',
        tags: ['repositories'],
        security,
        params: s.repositoryParams,
        body: s.pruneBody,
        response: { 200: s.pruneResult, 202: s.job, ...s.errorResponses },
      },
    },
    async (request, reply) => {
      const { location, project, repository } = request.params;
      const body = request.body;
      const target = arRepositoryTarget(location, project, repository, allowed);
      authorize(request.caller!, target.path, 'admin');
      const scope = body.image === undefined ? target.reference : `${target.reference}/${body.image}`;
      const options = {
        policies: policiesFromFile(body.policies),
        deleteTagged: body.deleteTagged,
        inUse: body.inUse,
      };
      if (body.dryRun) {
        return report(await metrics.upstream('prune', () => client.images.prune(scope, options)));
      }
      const job = jobs.start('prune', request.caller!.name, body, (signal) =>
        metrics.upstream('prune', async () =>
          report(await client.images.prune(scope, { ...options, apply: true, signal })),
        ),
      );
      metrics.jobStarted('prune');
      request.log.info({ job: job.id, repository: target.reference }, 'prune started');
      const done = await jobs.waitFor(job.id, context.copyWaitMs);
      if (done && job.state === 'failed') throw jobs.failureOf(job.id);
      if (done && job.result !== undefined) return job.result;
      const url = `/v1/jobs/${job.id}`;
      reply.header('location', url);
      return reply.status(202).send(renderJob(job, url));
    },
  );
};
