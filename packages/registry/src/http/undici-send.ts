import type { Readable } from 'node:stream';
import { isArError } from '@ar/errors';
import type { Dispatcher } from 'undici';
import { abortedError, RegistryError } from '../errors.js';
import { redactUrl } from './log.js';
import type { RegistryRequest, Send } from './types.js';

export interface UndiciSendOptions {
  /** Idle time without response headers, or between body chunks, before a request is abandoned. */
  readonly requestTimeoutMs: number;
}

/** The innermost layer: one request on the (pooled, keep-alive) dispatcher, body streamed both ways. */
export function undiciSend(dispatcher: Dispatcher, options: UndiciSendOptions): Send {
  return async (request) => {
    if (request.signal?.aborted) throw abortedError(request.signal);
    const headers: Record<string, string> = { ...request.headers };
    let body: string | Buffer | Readable | undefined;
    const source = request.body;
    if (source === undefined || typeof source === 'string' || Buffer.isBuffer(source)) {
      body = source;
    } else {
      body = await source.open();
      // A known length is what makes this a monolithic upload AR accepts; undici fails the
      // request if the stream delivers a different number of bytes.
      headers['content-length'] = String(source.length);
    }
    try {
      const response = await dispatcher.request({
        origin: request.url.origin,
        path: `${request.url.pathname}${request.url.search}`,
        method: request.method,
        headers,
        body: body ?? null,
        signal: request.signal,
        headersTimeout: options.requestTimeoutMs,
        bodyTimeout: options.requestTimeoutMs,
      });
      return {
        status: response.statusCode,
        headers: response.headers,
        body: response.body,
        url: request.url,
      };
    } catch (error) {
      if (typeof body === 'object' && body !== null && 'destroy' in body) body.destroy();
      throw toRegistryError(error, request);
    }
  };
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const NETWORK_CODES = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** Maps undici and socket failures to typed errors; ours (e.g. a source's digest check) pass through. */
export function toRegistryError(
  error: unknown,
  request: Pick<RegistryRequest, 'method' | 'url' | 'signal'>,
): unknown {
  if (isArError(error)) return error;
  if (request.signal?.aborted) return abortedError(request.signal);
  const code = errorCode(error);
  const where = `${request.method} ${redactUrl(request.url)}`;
  if (code !== undefined && TIMEOUT_CODES.has(code))
    return new RegistryError(
      'AR_REGISTRY_TIMEOUT',
      `${where} timed out (${code}). The registry is slow or unreachable; retry, or raise transfer.requestTimeoutSeconds.`,
      { cause: error, retryable: true },
    );
  if (code !== undefined && (NETWORK_CODES.has(code) || code.startsWith('UND_ERR_RES')))
    return new RegistryError(
      'AR_REGISTRY_NETWORK',
      `${where} failed: ${describe(error)}. Check that the registry is reachable; the request is retried when safe.`,
      { cause: error, retryable: true },
    );
  if (code === 'ENOTFOUND')
    return new RegistryError(
      'AR_REGISTRY_NETWORK',
      `${where} failed: the host name does not resolve. Check the registry host in the image reference.`,
      { cause: error },
    );
  if (
    code !== undefined &&
    (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('DEPTH_ZERO'))
  )
    return new RegistryError(
      'AR_REGISTRY_NETWORK',
      `${where} failed TLS verification (${code}). Set registries."HOST".caFile to the registry's CA bundle, or registries."HOST".insecure for a test registry.`,
      { cause: error },
    );
  return new RegistryError('AR_REGISTRY_NETWORK', `${where} failed: ${describe(error)}.`, {
    cause: error,
    retryable: true,
  });
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
