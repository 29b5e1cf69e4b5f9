import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply } from 'fastify';
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
  /** Failed authentications per client address per minute; then 429 until the window ends. */
  failedAuthPerMinute: number;
}

const limited = (reply: FastifyReply, retryAfterSeconds: number, why: string) => {
  reply.header('retry-after', retryAfterSeconds);
  return new ArApiError('AR_API_RATE_LIMITED', `${why}; retry after ${retryAfterSeconds} s.`, {
    retryable: true,
  });
};

/**
 * Who may call /v1, and how often. Two budgets: failed authentications per client address
 * (checked before the credential, so a guesser gets 429 whatever it sends next, and a good key
 * from another address is untouched), then requests per authenticated caller.
 */
export async function guard(v1: FastifyInstance, options: GuardOptions): Promise<void> {
  v1.decorateRequest('caller', undefined);
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
  const failures = v1.createRateLimit({
    max: options.failedAuthPerMinute,
    timeWindow: 60_000,
    // An IPv6 client usually holds a whole /64: count it as one address, as the plugin does.
    keyGenerator: (request) => `address:${normalizeIP(request.ip)}`,
  });

  // Authentication runs first, before the body is read, so anonymous callers cost nothing.
  v1.addHook('onRequest', async (request, reply) => {
    const before = await failures(request, { increment: false });
    if (!before.isAllowed && before.remaining === 0)
      throw limited(
        reply,
        before.ttlInSeconds,
        `Too many failed authentications from this address (${before.max} per minute)`,
      );
    try {
      request.caller = await options.authenticate(request.headers.authorization);
    } catch (error) {
      await failures(request);
      throw error;
    }
    request.log = request.log.child({ caller: request.caller.name, via: request.caller.via });
  });
}
