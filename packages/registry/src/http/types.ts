import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';

/**
 * A body that can be sent more than once: bytes, or a factory that re-opens the source with a
 * known length. Retries and auth replays re-open the source instead of buffering it, which is
 * what keeps a 5 TB upload in constant memory.
 */
export type RequestBody = Buffer | string | StreamBody;

export interface StreamBody {
  readonly length: number;
  open(): Readable | Promise<Readable>;
}

export interface RegistryRequest {
  readonly method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: URL;
  /** `host[:port]` as users name the registry: the key of credentials, tokens and pools. */
  readonly registry: string;
  readonly headers?: Record<string, string>;
  readonly body?: RequestBody;
  /** Token scopes the request needs, e.g. `repository:team/app:pull,push`. */
  readonly scopes?: readonly string[];
  /** Safe to repeat although the method is not (e.g. starting an upload session). */
  readonly idempotent?: boolean;
  /** False when a caller retries at a higher level (a failed upload restarts from a new POST). */
  readonly retry?: boolean;
  /** Fetch a new token first when the cached one has less life left than this. */
  readonly minTokenValidityMs?: number;
  readonly signal?: AbortSignal;
}

export interface RegistryResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Streamed; a consumer must read or dump it. */
  readonly body: Dispatcher.ResponseData['body'];
  readonly url: URL;
}

export type Send = (request: RegistryRequest) => Promise<RegistryResponse>;

/** One concern around `send`: layers compose as `logging(retry(auth(undici)))`. */
export type Layer = (next: Send) => Send;

export function composeLayers(base: Send, ...outermostFirst: Layer[]): Send {
  return outermostFirst.reduceRight<Send>((next, layer) => layer(next), base);
}

export function header(response: Pick<RegistryResponse, 'headers'>, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function isReplayable(request: RegistryRequest): boolean {
  const body = request.body;
  // A stream factory re-opens its source; bytes replay as they are. Nothing else is ever a body.
  return (
    body === undefined || typeof body === 'string' || Buffer.isBuffer(body) || typeof body.open === 'function'
  );
}

/** Discards a response body without reading it into memory, so the connection returns to the pool. */
export async function discard(response: RegistryResponse): Promise<void> {
  try {
    await response.body.dump({ limit: 1 << 20 });
  } catch {
    // A body that fails while being thrown away changes nothing for the caller.
  }
}
