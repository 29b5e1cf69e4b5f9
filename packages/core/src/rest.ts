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
  accessToken(options?: { forceRefresh?: boolean }): Promise<string>;
  signal?: AbortSignal;
  /** One line per request: method, URL (no query values but page sizes), status, time. */
  log?: (line: string) => void;
}

/**
 * The Artifact Registry REST API v1, the few calls we make, on Node's fetch (undici): a small
 * client rather than @google-cloud/artifact-registry, whose gRPC stack would triple install size
 * and load time for a dozen JSON calls (measured in the README).
 */
export class RestClient {
  readonly #options: RestClientOptions;

  constructor(options: RestClientOptions) {
    this.#options = options;
  }

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const url = new URL(
      `v1/${path}`,
      this.#options.baseUrl.endsWith('/') ? this.#options.baseUrl : `${this.#options.baseUrl}/`,
    );
    const send = async (forceRefresh: boolean) => {
      // Outside the network try below: a credential problem is reported as itself.
      const token = await this.#options.accessToken({ forceRefresh });
      return this.#fetch(url, method, token, body, signal);
    };
    let response = await send(false);
    // A token revoked or expired early: one fresh try, as the registry client does.
    if (response.status === 401) {
      await response.body?.cancel();
      response = await send(true);
    }
    const text = await response.text();
    if (response.ok) return (text ? JSON.parse(text) : {}) as T;
    throw this.#failure(method, path, response.status, text);
  }

  async #fetch(
    url: URL,
    method: string,
    token: string,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const abort = signal ?? this.#options.signal;
    const started = Date.now();
    const shown = `${method} ${url.origin}${url.pathname}`;
    try {
      const response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(abort ? { signal: abort } : {}),
      });
      this.#options.log?.(`${shown} → ${response.status} (${Date.now() - started} ms)`);
      return response;
    } catch (error) {
      this.#options.log?.(`${shown} → ${(error as Error).message} (${Date.now() - started} ms)`);
      if ((error as Error).name === 'AbortError') throw error;
      throw new ArCoreError(
        'AR_REST_UNAVAILABLE',
        `Cannot reach the Artifact Registry API at ${url.origin} (${(error as Error).message}). Check the network, or endpoints.artifactRegistryUrl.`,
        { cause: error, retryable: true },
      );
    }
  }

  #failure(method: string, path: string, status: number, text: string): ArCoreError {
    let parsed: GoogleError = {};
    try {
      parsed = JSON.parse(text) as GoogleError;
    } catch {}
    const code =
      BY_STATUS[parsed.error?.status ?? ''] ?? (status >= 500 ? 'AR_REST_UNAVAILABLE' : 'AR_REST_FAILED');
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
