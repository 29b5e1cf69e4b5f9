import { randomUUID } from 'node:crypto';
import type { ArResolvedConfig } from '@ar/config';
import { type ArClient, createClient } from '@ar/core';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { type DestinationStream, type Logger, pino } from 'pino';
import { createAuthenticator } from './authn.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { guard } from './guard.js';
import { createExecutors } from './jobs/executors.js';
import { type JobStore, openJobStore } from './jobs/index.js';
import { createMetrics } from './metrics.js';
import type { RouteContext } from './routes/context.js';
import { healthRoutes } from './routes/health.js';
import { imageRoutes } from './routes/images.js';
import { jobRoutes } from './routes/jobs.js';
import { openApiOptions, openApiRoutes } from './routes/openapi.js';
import { pruneRoutes } from './routes/prune.js';
import { repositoryRoutes } from './routes/repositories.js';
import { contactPolicy, hostMatcher } from './targets.js';
import { readCacheOf } from './upstream-cache.js';

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
  /** Requests per caller per window on /v1 (one shared budget across routes). Default `api.rateLimit.perMinute` per minute. */
  rateLimit?: { max: number; windowMs: number };
  /**
   * How long `POST /v1/images:copy` waits for the copy before answering 202 with a job. Default
   * `api.jobs.waitMs` (5000 ms); 0 always answers 202 at once.
   */
  copyWaitMs?: number;
  /** Overrides of `api.jobs` (`maxRunning`, `retentionSeconds` as `retainMs`, `progressIntervalMs`). */
  jobs?: { maxRunning?: number; retainMs?: number; progressIntervalMs?: number };
  /**
   * On close: `finish` lets running copies end within `graceMs` then cancels the rest; `cancel`
   * aborts them at once. Default finish within 8 s, inside Cloud Run's 10 s after SIGTERM.
   */
  shutdown?: { mode?: 'finish' | 'cancel'; graceMs?: number };
  /** Per-check timeout of /readyz. Default 5000 ms. */
  readinessTimeoutMs?: number;
  /** Every upstream HTTP request of the client created here, one line each (never a secret). */
  requestLog?: (line: string) => void;
}

export interface ApiService {
  app: FastifyInstance;
  jobs: JobStore;
  /** Listens on `api.host`:`api.port` (or the given ones); resolves to the base URL. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /** Graceful: stop accepting, finish in-flight requests, finish or cancel jobs, release connections. */
  close(): Promise<void>;
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

export async function createApi(options: ApiOptions): Promise<ApiService> {
  const { config } = options;
  const cache = readCacheOf(config.api.cache);
  const client =
    options.client ??
    createClient(config, {
      hostPolicy: contactPolicy(config),
      ...(cache ? { cache } : {}),
      ...(options.requestLog ? { requestLog: options.requestLog } : {}),
    });
  const ownsClient = options.client === undefined;
  const logger = makeLogger(options);
  const metrics = createMetrics();
  const allowed = hostMatcher(config.api.allowedHosts);
  const jobs = await openJobStore(config, {
    client,
    executors: createExecutors({ allowed, metrics }),
    logger,
    ...options.jobs,
  }).catch(async (error: unknown) => {
    if (ownsClient) await client.close();
    throw error;
  });
  metrics.observeJobs(jobs);
  const context: RouteContext = {
    client,
    jobs,
    metrics,
    allowed,
    allowedHosts: config.api.allowedHosts,
    copyWaitMs: options.copyWaitMs ?? config.api.jobs.waitMs,
    readinessTimeoutMs: options.readinessTimeoutMs ?? 5000,
  };

  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // The client address keys the failed-authentication limit, so X-Forwarded-For is believed only
    // as far back as the operator's own proxies appended to it: a client can forge the rest.
    trustProxy: config.api.trustedProxies,
    // Idle keep-alive connections are closed on shutdown; busy ones finish their request first.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: Fastify's default text/plain parser would hand a string to the schemas.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    context.metrics.observeRequest(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);

  await app.register(swagger, openApiOptions);
  await app.register(openApiRoutes);
  await app.register(healthRoutes, context);
  await app.register(async (v1) => {
    await guard(v1, {
      authenticate: createAuthenticator(config.api),
      perCaller: {
        max: options.rateLimit?.max ?? config.api.rateLimit.perMinute,
        windowMs: options.rateLimit?.windowMs ?? 60_000,
      },
      failedAuthPerMinute: config.api.rateLimit.failedAuthPerMinute,
    });
    await v1.register(repositoryRoutes, context);
    await v1.register(imageRoutes, context);
    await v1.register(jobRoutes, context);
    await v1.register(pruneRoutes, context);
  });

  let closing: Promise<void> | undefined;
  const shutdownOnce = async () => {
    const shutdown = { mode: options.shutdown?.mode ?? 'finish', graceMs: options.shutdown?.graceMs ?? 8000 };
    logger.info({ ...shutdown, runningJobs: jobs.runningHere }, 'shutting down');
    // Both at once: in-flight requests (a copy waiting on its job) end as the jobs end.
    await Promise.all([app.close(), jobs.close(shutdown)]);
    if (ownsClient) await client.close();
  };
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
}
