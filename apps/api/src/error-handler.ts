import { errorKind, isArError } from '@ar/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { withHint } from './error-hints.js';
import { ArApiError } from './errors.js';
import { httpStatusOf } from './http-status.js';
import type * as s from './schemas.js';

/** Every error, ours or Fastify's, answers in the one shape: `{ error: { code, message, requestId, details? } }`. */
export async function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const body = errorBody(error, request);
  const status = httpStatusOf(body.error.code, errorKind(error));
  if (status >= 500) request.log.error({ err: error, code: body.error.code }, 'request failed');
  else request.log.info({ code: body.error.code }, 'request refused');
  return reply.status(status).send(body);
}

export async function notFoundHandler(request: FastifyRequest): Promise<never> {
  throw new ArApiError(
    'AR_API_ROUTE_NOT_FOUND',
    `No route ${request.method} ${request.url.split('?', 1)[0]!.slice(0, 200)}. See /openapi.json.`,
  );
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
        message: withHint(error.code, error.message),
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
