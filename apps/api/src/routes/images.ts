import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { authorize } from '../authz.js';
import { ArApiError } from '../errors.js';
import { copyTargets } from '../jobs/executors.js';
import { FINAL_STATES } from '../jobs/types.js';
import * as s from '../schemas.js';
import { arImageTarget, arListTarget } from '../targets.js';
import { wantsFresh } from '../upstream-cache.js';
import { type RouteContext, security } from './context.js';
import { renderJob } from './jobs.js';

/** Opaque page tokens bound to the listing they continue, so one cannot be replayed elsewhere. */
function encodePageToken(repository: string, offset: number): string {
  return Buffer.from(JSON.stringify({ r: repository, o: offset })).toString('base64url');
}

function decodePageToken(token: string | undefined, repository: string): number {
  if (token === undefined) return 0;
  try {
    const { r, o } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      r?: unknown;
      o?: unknown;
    };
    if (r === repository && Number.isSafeInteger(o) && (o as number) >= 0) return o as number;
  } catch {}
  throw new ArApiError(
    'AR_API_INVALID_REQUEST',
    'pageToken is not one this listing returned; start again without it.',
  );
}

export const imageRoutes: FastifyPluginAsyncZod<RouteContext> = async (v1, context) => {
  const { client, metrics, jobs, allowed } = context;

  v1.get(
    '/v1/images',
    {
      schema: {
        summary:
          'Image versions of a repository or of one image (IMAGE, DIGEST, TAGS, CREATE_TIME, UPDATE_TIME).',
        tags: ['images'],
        security,
        querystring: s.listImagesQuery,
        response: { 200: s.imageList, ...s.errorResponses },
      },
    },
    async (request) => {
      const { repository, includeTags, pageSize, pageToken } = request.query;
      const target = arListTarget(repository, allowed);
      authorize(request.caller!, target.path, 'read');
      const offset = decodePageToken(pageToken, target.reference);
      // One more than the page tells whether another page follows.
      const rows = await metrics.upstream('images.list', () =>
        client.images.list(target.reference, { limit: offset + pageSize + 1 }),
      );
      const page = rows.slice(offset, offset + pageSize).map(({ tags, ...row }) => ({
        ...row,
        ...(includeTags ? { tags } : {}),
      }));
      return {
        images: page,
        ...(rows.length > offset + pageSize
          ? { nextPageToken: encodePageToken(target.reference, offset + pageSize) }
          : {}),
      };
    },
  );

  v1.get(
    '/v1/images::resolve',
    {
      schema: {
        summary:
          'Digest, media type, platforms and size of an image; for a virtual repository, which upstream serves it and why.',
        tags: ['images'],
        security,
        querystring: s.resolveQuery,
        response: { 200: s.resolution, ...s.errorResponses },
      },
    },
    async (request) => {
      const target = arImageTarget(request.query.ref, allowed, 'ref');
      // Before any read, cached or not: a cached answer is never shown to a caller without the grant.
      authorize(request.caller!, target.path, 'read');
      const fresh = wantsFresh(request.headers['cache-control'], request.query.fresh);
      const { resolved, described } = await metrics.upstream('images.resolve', async () => {
        const resolved = await client.images.resolve(target.reference, { fresh });
        // By the digest just resolved, so both halves of the answer describe one image. Its
        // manifest and listing were just read by the resolve: with the cache, no second call.
        const described = await client.images.describe(`${target.path}@${resolved.digest}`);
        return { resolved, described };
      });
      return {
        reference: resolved.reference,
        digest: described.digest,
        mediaType: described.mediaType,
        platforms: described.platforms,
        sizeBytes: described.sizeBytes,
        tags: described.tags,
        mode: resolved.mode,
        servedBy: resolved.servedBy,
        reason: resolved.reason,
        upstreams: resolved.upstreams,
      };
    },
  );

  v1.post(
    '/v1/images::copy',
    {
      schema: {
        summary:
          'Copy (promote) an image between repositories or registries. 200 when done within the wait, else 202 with a job.',
        tags: ['images'],
        security,
        headers: s.idempotencyHeaders,
        body: s.copyBody,
        response: { 200: s.job, 202: s.job, ...s.errorResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const who = request.caller!;
      const copy = copyTargets(body, allowed);
      authorize(who, copy.source, 'read');
      authorize(who, copy.destination, 'write');
      const idempotencyKey = request.headers['idempotency-key'];
      const started = await jobs.submit({ kind: 'copy', owner: who.name, params: body, idempotencyKey });
      metrics.jobStarted('copy');
      request.log.info(
        { job: started.id, source: copy.source, destination: copy.destination },
        'copy started',
      );
      const job = await jobs.waitFor(started.id, who.name, context.copyWaitMs);
      const done = FINAL_STATES.has(job.state);
      const url = `/v1/jobs/${job.id}`;
      // Failed within the wait: answer as the synchronous call it turned out to be.
      if (job.state === 'failed') throw jobs.failureOf(job);
      reply.header('location', url);
      return reply.status(done ? 200 : 202).send(renderJob(job, url));
    },
  );

  v1.post(
    '/v1/images::tag',
    {
      schema: {
        summary: 'Add a tag to an image in its repository, without pulling it.',
        tags: ['images'],
        security,
        body: s.tagBody,
        response: { 200: s.tagResult, ...s.errorResponses },
      },
    },
    async (request) => {
      const source = arImageTarget(request.body.source, allowed, 'source');
      const who = request.caller!;
      authorize(who, source.path, 'read');
      authorize(who, source.path, 'write');
      const target = `${source.path}:${request.body.tag}`;
      const result = await metrics.upstream('tag', () => client.tag(source.reference, target));
      return { reference: target, digest: result.images[0]!.digest };
    },
  );

  v1.delete(
    '/v1/images',
    {
      schema: {
        summary: 'Delete a tag (by tag) or an image version (by digest; tagged versions need deleteTags).',
        tags: ['images'],
        security,
        querystring: s.deleteQuery,
        response: { 200: s.deleteResult, ...s.errorResponses },
      },
    },
    async (request) => {
      const target = arImageTarget(request.query.ref, allowed, 'ref');
      authorize(request.caller!, target.path, 'admin');
      return metrics.upstream('images.delete', () =>
        client.images.delete(target.reference, { deleteTags: request.query.deleteTags }),
      );
    },
  );
};
