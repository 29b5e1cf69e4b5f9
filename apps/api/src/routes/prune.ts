import { policiesFromFile } from '@ar/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../authz.js';
import { type PruneParams, runPrune } from '../jobs/executors.js';
import { FINAL_STATES } from '../jobs/types.js';
import * as s from '../schemas.js';
import { arRepositoryTarget } from '../targets.js';
import { type RouteContext, security } from './context.js';
import { renderJob } from './jobs.js';

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
        headers: s.idempotencyHeaders,
        body: s.pruneBody,
        response: { 200: z.union([s.pruneResult, s.job]), 202: s.job, ...s.errorResponses },
      },
    },
    async (request, reply) => {
      const { location, project, repository } = request.params;
      const body = request.body;
      const target = arRepositoryTarget(location, project, repository, allowed);
      authorize(request.caller!, target.path, 'admin');
      const params: PruneParams = { ...body, repository: target.reference };
      if (body.dryRun) return metrics.upstream('prune', () => runPrune(client, params, undefined));
      policiesFromFile(body.policies); // a policy gcloud would refuse is refused before a job exists
      const who = request.caller!;
      const idempotencyKey = request.headers['idempotency-key'];
      const started = await jobs.submit({ kind: 'prune', owner: who.name, params, idempotencyKey });
      metrics.jobStarted('prune');
      request.log.info({ job: started.id, repository: target.reference }, 'prune started');
      const job = await jobs.waitFor(started.id, who.name, context.copyWaitMs);
      if (job.state === 'failed') throw jobs.failureOf(job);
      const url = `/v1/jobs/${job.id}`;
      reply.header('location', url);
      return reply.status(FINAL_STATES.has(job.state) ? 200 : 202).send(renderJob(job, url));
    },
  );
};
