import { upstreamsByPriority } from '@ar/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authorize, hasAnyGrantWithin } from '../authz.js';
import * as s from '../schemas.js';
import { arRepositoryTarget, repositoryPathOf } from '../targets.js';
import { type RouteContext, security } from './context.js';

export const repositoryRoutes: FastifyPluginAsyncZod<RouteContext> = async (
  v1,
  { client, metrics, allowed },
) => {
  v1.get(
    '/v1/repositories',
    {
      schema: {
        summary: 'Repositories of a project in a location (those the caller has a grant in).',
        tags: ['repositories'],
        security,
        querystring: s.listRepositoriesQuery,
        response: { 200: s.repositoryList, ...s.errorResponses },
      },
    },
    async (request) => {
      const { project, location } = request.query;
      // The project's registry path (validated as AR does) is what grants are compared with.
      const scope = arRepositoryTarget(location, project, 'scope', allowed).path.replace(/\/scope$/, '');
      const who = request.caller!;
      if (!hasAnyGrantWithin(who, scope)) authorize(who, scope, 'read');
      const all = await metrics.upstream('repositories.list', () =>
        client.repositories.list({ project, location }),
      );
      return {
        repositories: all
          .filter((repo) => {
            const path = repositoryPathOf(repo.name);
            return path !== undefined && hasAnyGrantWithin(who, path);
          })
          .map((repo) => ({ ...repo })),
      };
    },
  );

  v1.get(
    '/v1/repositories/:location/:project/:repository',
    {
      schema: {
        summary: 'One repository: mode, immutable tags, upstream policy by priority.',
        tags: ['repositories'],
        security,
        params: s.repositoryParams,
        response: { 200: s.repository, ...s.errorResponses },
      },
    },
    async (request) => {
      const { location, project, repository } = request.params;
      const target = arRepositoryTarget(location, project, repository, allowed);
      const who = request.caller!;
      if (!hasAnyGrantWithin(who, target.path)) authorize(who, target.path, 'read');
      const found = await metrics.upstream('repositories.describe', () =>
        client.repositories.describe(target.reference),
      );
      const policies = upstreamsByPriority(found);
      return policies.length > 0
        ? {
            ...found,
            virtualRepositoryConfig: { ...found.virtualRepositoryConfig, upstreamPolicies: policies },
          }
        : { ...found };
    },
  );
};
