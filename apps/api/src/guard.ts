import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { Caller } from './authz.js';
import { ArApiError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | undefined;
  }
}

export interface GuardOptions {
  authenticate: (authorization: string | undefined) => Promise<Caller>;
  /** Requests per authenticated caller per window, across every /v1 route. */
  perCaller: { max: number; windowMs: number };
}

/** Who may call /v1, and how often. */
export async function guard(v1: FastifyInstance, options: GuardOptions): Promise<void> {
  v1.decorateRequest('caller', undefined);
  // Authentication runs first, before the body is read, so anonymous callers cost nothing.
  v1.addHook('onRequest', async (request) => {
    request.caller = await options.authenticate(request.headers.authorization);
    request.log = request.log.child({ caller: request.caller.name, via: request.caller.via });
  });
  await v1.register(rateLimit, {
    global: true,
    max: options.perCaller.max,
    timeWindow: options.perCaller.windowMs,
    keyGenerator: (request) => `caller:${request.caller?.name ?? request.ip}`,
    errorResponseBuilder: (_request, context) =>
      new ArApiError(
        'AR_API_RATE_LIMITED',
        `Rate limit of ${context.max} requests per ${Math.round(context.ttl / 1000) || 1} s reached; retry after ${context.after}.`,
        { retryable: true },
      ),
  });
}
