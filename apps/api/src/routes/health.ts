import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { checkReadiness } from '../readiness.js';
import * as s from '../schemas.js';
import type { RouteContext } from './context.js';

/** Operations endpoints, for probes and scrapers: no credential. */
export const healthRoutes: FastifyPluginAsyncZod<RouteContext> = async (app, context) => {
  app.get(
    '/healthz',
    { schema: { summary: 'Liveness: the process answers.', tags: ['ops'], response: { 200: s.health } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: a token source answers and every allowed registry host is reachable.',
        tags: ['ops'],
        response: { 200: s.readiness, 503: s.readiness },
      },
    },
    async (_request, reply) => {
      const result = await checkReadiness(context.client, context.allowedHosts, context.readinessTimeoutMs);
      return reply.status(result.ready ? 200 : 503).send(result);
    },
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics (text format).', tags: ['ops'] } },
    async (_request, reply) => {
      reply.type(context.metrics.registry.contentType);
      return context.metrics.registry.metrics();
    },
  );
};
