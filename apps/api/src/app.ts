import { randomUUID } from 'node:crypto';
import type { ArResolvedConfig } from '@ar/config';
import { type ArClient, createClient, upstreamsByPriority } from '@ar/core';
import { isArError } from '@ar/errors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { z } from 'zod';
import { createAuthenticator } from './authn.js';
import { authorize, type Caller, hasAnyGrantWithin } from './authz.js';
import { ArApiError } from './errors.js';
import { httpStatusOf } from './http-status.js';
import { type Job, JobManager } from './jobs.js';
import { createMetrics } from './metrics.js';
import { checkReadiness } from './readiness.js';
import * as s from './schemas.js';
import {
  arImageTarget,
  arListTarget,
  arRepositoryTarget,
  hostMatcher,
  imageTarget,
  repositoryPathOf,
} from './targets.js';

export interface ApiOptions {
  /** The resolved config (`resolveConfig()` of @ar/config): its `api` section and everything @ar/core reads. */
  config: ArResolvedConfig;
  /** A client to share; by default one is created from `config` and closed with the service. */
  client?: ArClient;
  /** `false` for no logs. */
  logger?: false;
  /** Where JSON log lines go (secrets redacted either way). Default stdout. */
  logDestination?: DestinationStream;
  logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** Largest request body accepted. Default 16 KiB: every body here is a few references. */
  bodyLimitBytes?: number;
  /** Requests per caller per window on /v1 (one shared budget across routes). Default 600 per minute. */
  rateLimit?: { max: number; windowMs: number };
  /**
   * How long `POST /v1/images:copy` waits for the copy before answering 202 with a job. Default
   * 5000 ms; 0 always answers 202 at once.
   */
  copyWaitMs?: number;
  jobs?: { maxRunning?: number; retainMs?: number };
  /**
   * On close: `finish` lets running copies end within `graceMs` then cancels the rest; `cancel`
   * aborts them at once. Default finish within 8 s, inside Cloud Run's 10 s after SIGTERM.
   */
  shutdown?: { mode?: 'finish' | 'cancel'; graceMs?: number };
  /** Per-check timeout of /readyz. Default 5000 ms. */
  readinessTimeoutMs?: number;
}

export interface ApiService {
  app: FastifyInstance;
  jobs: JobManager;
  /** Listens on `api.host`:`api.port` (or the given ones); resolves to the base URL. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /** Graceful: stop accepting, finish in-flight requests, finish or cancel jobs, release connections. */
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | undefined;
  }
}

/** Secrets that could reach a log line: headers and any field named like a credential. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.accessToken',
];

function makeLogger(options: ApiOptions): Logger {
  if (options.logger === false) return pino({ level: 'silent' });
  return pino(
    {
      level: options.logLevel ?? 'info',
      redact: { paths: REDACT, censor: '<redacted>' },
      base: { service: '@ar/api' },
    },
    options.logDestination ?? pino.destination(1),
  );
}

const REQUEST_ID = /^[\w.:-]{1,64}$/;

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

export async function createApi(options: ApiOptions): Promise<ApiService> {
  const { config } = options;
  const client = options.client ?? createClient(config);
  const ownsClient = options.client === undefined;
  const allowed = hostMatcher(config.api.allowedHosts);
  const authenticate = createAuthenticator(config.api);
  const jobs = new JobManager(options.jobs);
  const metrics = createMetrics(jobs);
  const copyWaitMs = options.copyWaitMs ?? 5000;
  const logger = makeLogger(options);

  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Behind a load balancer the client address is in X-Forwarded-For; it only labels logs here.
    trustProxy: true,
    // Idle keep-alive connections are closed on shutdown; busy ones finish their request first.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('caller', undefined);
  // JSON only: Fastify's default text/plain parser would hand a string to the schemas.
  app.removeContentTypeParser('text/plain');
  let closing: Promise<void> | undefined;

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler(async (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const body = errorBody(error, request);
    const status = httpStatusOf(body.error.code);
    if (status >= 500) request.log.error({ err: error, code: body.error.code }, 'request failed');
    else request.log.info({ code: body.error.code }, 'request refused');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler(async (request) => {
    throw new ArApiError(
      'AR_API_ROUTE_NOT_FOUND',
      `No route ${request.method} ${request.url.split('?', 1)[0]!.slice(0, 200)}. See /openapi.json.`,
    );
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '@ar/api',
        version: '0.0.0',
        description:
          'List, resolve, promote, tag and clean up Artifact Registry images. Every /v1 call needs a bearer API key or a Google-signed ID token.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key, or a Google-signed ID token.' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

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
      const result = await checkReadiness(
        client,
        config.api.allowedHosts,
        options.readinessTimeoutMs ?? 5000,
      );
      return reply.status(result.ready ? 200 : 503).send(result);
    },
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics (text format).', tags: ['ops'] } },
    async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );

  await app.register(async (v1) => {
    // Authentication runs first, before the body is read, so anonymous callers cost nothing.
    v1.addHook('onRequest', async (request) => {
      request.caller = await authenticate(request.headers.authorization);
      request.log = request.log.child({ caller: request.caller.name, via: request.caller.via });
    });
    await v1.register(rateLimit, {
      global: true,
      max: options.rateLimit?.max ?? 600,
      timeWindow: options.rateLimit?.windowMs ?? 60_000,
      keyGenerator: (request) => `caller:${request.caller?.name ?? request.ip}`,
      errorResponseBuilder: (_request, context) =>
        new ArApiError(
          'AR_API_RATE_LIMITED',
          `Rate limit of ${context.max} requests per ${Math.round(context.ttl / 1000) || 1} s reached; retry after ${context.after}.`,
          { retryable: true },
        ),
    });
    registerV1(v1 as unknown as FastifyInstance);
  });

  function registerV1(v1Base: FastifyInstance) {
    const v1 = v1Base.withTypeProvider<ZodTypeProvider>();
    const security = [{ bearer: [] }];
    const caller = (request: FastifyRequest) => request.caller!;

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
        const who = caller(request);
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
        const who = caller(request);
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
        authorize(caller(request), target.path, 'read');
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
          querystring: s.refQuery,
          response: { 200: s.resolution, ...s.errorResponses },
        },
      },
      async (request) => {
        const target = arImageTarget(request.query.ref, allowed, 'ref');
        authorize(caller(request), target.path, 'read');
        const [described, resolved] = await metrics.upstream('images.resolve', () =>
          Promise.all([client.images.describe(target.reference), client.images.resolve(target.reference)]),
        );
        return {
          reference: described.reference,
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
          body: s.copyBody,
          response: { 200: s.job, 202: s.job, ...s.errorResponses },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const source = imageTarget(body.source, allowed, 'source');
        const destination = imageTarget(body.destination, allowed, 'destination');
        const who = caller(request);
        authorize(who, source.path, 'read');
        authorize(who, destination.path, 'write');
        const job = jobs.start('copy', who.name, body, (signal, onProgress) => {
          const transfer = {
            signal,
            onProgress,
            ...(body.allTags ? { allTags: true } : {}),
            ...(body.platforms ? { platforms: body.platforms } : {}),
          };
          // Typed locations: any allowed registry, with the client's credentials.
          return metrics.upstream('copy', () => client.copy(source.location, destination.location, transfer));
        });
        metrics.jobStarted('copy');
        request.log.info(
          { job: job.id, source: source.reference, destination: destination.reference },
          'copy started',
        );
        const done = await jobs.waitFor(job.id, copyWaitMs);
        const url = `/v1/jobs/${job.id}`;
        // Failed within the wait: answer as the synchronous call it turned out to be.
        if (done && job.state === 'failed') throw jobs.failureOf(job.id);
        reply.header('location', url);
        return reply.status(done ? 200 : 202).send(renderJob(job, url));
      },
    );

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
        const job = jobs.get(request.params.id, caller(request).name);
        return renderJob(job, `/v1/jobs/${job.id}`);
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
        const who = caller(request);
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
        authorize(caller(request), target.path, 'admin');
        return metrics.upstream('images.delete', () =>
          client.images.delete(target.reference, { deleteTags: request.query.deleteTags }),
        );
      },
    );
  }

  return {
    app: app as unknown as FastifyInstance,
    jobs,
    async listen(listenOptions = {}) {
      return app.listen({
        host: listenOptions.host ?? config.api.host,
        port: listenOptions.port ?? config.api.port,
      });
    },
    close() {
      closing ??= shutdownOnce();
      return closing;
    },
  };

  async function shutdownOnce(): Promise<void> {
    const shutdown = { mode: options.shutdown?.mode ?? 'finish', graceMs: options.shutdown?.graceMs ?? 8000 };
    logger.info({ ...shutdown, runningJobs: jobs.running }, 'shutting down');
    // Both at once: in-flight requests (a copy waiting on its job) end as the jobs end.
    await Promise.all([app.close(), jobs.close(shutdown)]);
    if (ownsClient) await client.close();
  }
}

function renderJob(job: Job, url: string): z.infer<typeof s.job> {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    request: job.request as z.infer<typeof s.copyBody>,
    progress: job.progress,
    ...(job.result ? { result: job.result as z.infer<typeof s.copyResult> } : {}),
    ...(job.error ? { error: job.error } : {}),
    url,
  };
}

function errorBody(error: unknown, request: FastifyRequest): z.infer<typeof s.errorBody> {
  const requestId = request.id;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((issue) => ({
      where: `${error.validationContext ?? 'request'}${issue.instancePath.replaceAll('/', '.')}`,
      message: issue.message ?? 'invalid',
    }));
    return {
      error: {
        code: 'AR_API_INVALID_REQUEST',
        message: `Invalid request: ${issues.map((issue) => `${issue.where}: ${issue.message}`).join('; ')}.`,
        requestId,
        details: { issues },
      },
    };
  }
  if (isArError(error)) {
    const details: Record<string, unknown> = {
      ...((error as { details?: Record<string, unknown> }).details ?? {}),
    };
    // @ar/image-ref errors say where in the reference the problem is.
    const located = error as { part?: unknown; offset?: unknown };
    if (typeof located.part === 'string') details.part = located.part;
    if (typeof located.offset === 'number') details.offset = located.offset;
    if (error.retryable) details.retryable = true;
    return {
      error: {
        code: error.code,
        message: error.message,
        requestId,
        ...(Object.keys(details).length > 0 ? { details } : {}),
      },
    };
  }
  const fastifyError = error as { code?: string; statusCode?: number; message?: string };
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return {
      error: { code: 'AR_API_BODY_TOO_LARGE', message: 'The request body is too large.', requestId },
    };
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return {
      error: {
        code: 'AR_API_UNSUPPORTED_MEDIA_TYPE',
        message: 'Send the body as application/json.',
        requestId,
      },
    };
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  )
    return {
      error: {
        code: 'AR_API_INVALID_REQUEST',
        // Fastify's own 4xx messages (malformed JSON, empty body) describe the request, not secrets.
        message: `Invalid request: ${fastifyError.message ?? 'malformed'}.`,
        requestId,
      },
    };
  return {
    error: {
      code: 'AR_API_INTERNAL',
      message: `Internal error; the service log has it under request ${requestId}.`,
      requestId,
    },
  };
}
