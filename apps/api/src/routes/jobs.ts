import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Job } from '../jobs/index.js';
import * as s from '../schemas.js';
import { type RouteContext, security } from './context.js';

export function renderJob(job: Job, url: string): z.infer<typeof s.job> {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    request: job.request as z.infer<typeof s.job>['request'],
    progress: job.progress,
    ...(job.result ? { result: job.result as z.infer<typeof s.job>['result'] } : {}),
    ...(job.error ? { error: { code: job.error.code, message: job.error.message } } : {}),
    url,
  };
}

export const jobRoutes: FastifyPluginAsyncZod<RouteContext> = async (v1, { jobs }) => {
  v1.get(
    '/v1/jobs/:id',
    {
      schema: {
        summary: 'A job of the caller: state, progress, result or error.',
        tags: ['jobs'],
        security,
        params: s.jobParams,
        response: { 200: s.job, ...s.errorResponses },
      },
    },
    async (request) => {
      const job = await jobs.get(request.params.id, request.caller!.name);
      return renderJob(job, `/v1/jobs/${job.id}`);
    },
  );
};
