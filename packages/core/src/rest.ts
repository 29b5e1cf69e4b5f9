import { isArError } from '@ar/errors';
import {
  bearerTokenLayer,
  createHttpStack,
  type HostPolicy,
  type RegistryResponse,
  type RequestLogger,
  type RetryPolicy,
  type Send,
} from '@ar/registry/http';
import { ArCoreError, type CoreErrorCode } from './errors.js';

/** Google's JSON error: `{"error": {"code": 404, "message": "...", "status": "NOT_FOUND"}}`. */
interface GoogleError {
  error?: { code?: number; message?: string; status?: string };
}

const BY_STATUS: Record<string, CoreErrorCode> = {
  NOT_FOUND: 'AR_REST_NOT_FOUND',
  PERMISSION_DENIED: 'AR_REST_PERMISSION_DENIED',
  UNAUTHENTICATED: 'AR_REST_UNAUTHENTICATED',
  INVALID_ARGUMENT: 'AR_REST_INVALID_ARGUMENT',
  ALREADY_EXISTS: 'AR_REST_ALREADY_EXISTS',
  UNAVAILABLE: 'AR_REST_UNAVAILABLE',
};

const ADVICE: Partial<Record<CoreErrorCode, string>> = {
  AR_REST_PERMISSION_DENIED:
    'Ask for a role on the repository: roles/artifactregistry.reader to list and pull, .writer to push, .repoAdmin to delete.',
  AR_REST_UNAUTHENTICATED: 'Check the credentials, or refresh the access token.',
  AR_REST_NOT_FOUND: 'Check the project, location and repository.',
};

export interface RestClientOptions {
  /** `endpoints.artifactRegistryUrl`: https://artifactregistry.googleapis.com or the emulator. */
  baseUrl: string;
  accessToken(options?: { forceRefresh?: boolean; signal?: AbortSignal }): Promise<string>;
  signal?: AbortSignal;
  /** The registry client's budget: the same retries, backoff and `Retry-After` handling. */
  retry?: Partial<RetryPolicy>;
  requestTimeoutMs?: number;
  /** The registry client's hook: one event per request and retry, never a secret. */
  log?: RequestLogger;
  /** Where redirects may lead (see `@ar/registry/http`); the API sets it from `api.allowedHosts`. */
  hostPolicy?: HostPolicy;
}

export interface RestRequestOptions {
  signal?: AbortSignal;
  /**
   * Safe to repeat although the method is POST: retried on 5xx/429/network failures like a GET.
   * Only for calls that cannot do twice what they do once.
   */
  idempotent?: boolean;
}

/**
 * The Artifact Registry REST API v1, the few calls we make: a small client rather than
 * @google-cloud/artifact-registry, whose gRPC stack would triple install size and load time for a
 * dozen JSON calls (measured in the README). It runs on the registry client's HTTP stack
 * (`@ar/registry/http`): GET and DELETE (and POSTs marked idempotent) are retried with the same
 * budget, backoff and `Retry-After` handling as registry calls; a 401 gets one fresh token and
 * a replay; every request is logged as registry requests are.
 */
export class RestClient {
  readonly #options: RestClientOptions;
  readonly #send: Send;

  constructor(options: RestClientOptions) {
    this.#options = options;
    const { retry, requestTimeoutMs, log, hostPolicy } = options;
    this.#send = createHttpStack(
      { retry, requestTimeoutMs, log, hostPolicy },
      bearerTokenLayer(({ forceRefresh, signal }) => options.accessToken({ forceRefresh, signal })),
    );
  }

  async request<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    options: RestRequestOptions = {},
  ): Promise<T> {
    const url = new URL(
      `v1/${path}`,
      this.#options.baseUrl.endsWith('/') ? this.#options.baseUrl : `${this.#options.baseUrl}/`,
    );
    let response: RegistryResponse;
    try {
      response = await this.#send({
        method,
        url,
        registry: url.host,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(options.idempotent ? { idempotent: true } : {}),
        signal: options.signal ?? this.#options.signal,
      });
    } catch (error) {
      // Retries ran out on a network failure; credential problems and cancellation pass as themselves.
      if (isArError(error) && (error.code === 'AR_REGISTRY_NETWORK' || error.code === 'AR_REGISTRY_TIMEOUT'))
        throw new ArCoreError(
          'AR_REST_UNAVAILABLE',
          `Cannot reach the Artifact Registry API at ${url.origin} (${error.message}). Check the network, or endpoints.artifactRegistryUrl.`,
          { cause: error, retryable: true },
        );
      throw error;
    }
    const text = await response.body.text();
    if (response.status >= 200 && response.status < 300) return (text ? JSON.parse(text) : {}) as T;
    throw this.#failure(method, path, response.status, text);
  }

  #failure(method: string, path: string, status: number, text: string): ArCoreError {
    let parsed: GoogleError = {};
    try {
      parsed = JSON.parse(text) as GoogleError;
    } catch {}
    // 429 and 5xx reach here only after the retries ran out.
    const code =
      BY_STATUS[parsed.error?.status ?? ''] ??
      (status >= 500 || status === 429 ? 'AR_REST_UNAVAILABLE' : 'AR_REST_FAILED');
    const message = parsed.error?.message ?? `HTTP ${status}`;
    const advice = ADVICE[code];
    return new ArCoreError(code, `${method} ${path}: ${message}${advice ? ` ${advice}` : ''}`, {
      retryable: code === 'AR_REST_UNAVAILABLE',
    });
  }

  /** Every page of a list call, up to `limit` items. */
  async listAll<T>(
    path: string,
    field: string,
    limit = Number.POSITIVE_INFINITY,
    query: Record<string, string> = {},
  ): Promise<T[]> {
    const items: T[] = [];
    let pageToken: string | undefined;
    do {
      const params = new URLSearchParams({
        ...query,
        pageSize: String(Math.min(1000, Math.max(1, limit - items.length))),
      });
      if (pageToken) params.set('pageToken', pageToken);
      const page = await this.request<Record<string, unknown>>('GET', `${path}?${params}`);
      items.push(...(((page[field] as T[] | undefined) ?? []) as T[]));
      pageToken = page.nextPageToken as string | undefined;
    } while (pageToken && items.length < limit);
    return items.slice(0, limit);
  }
}
