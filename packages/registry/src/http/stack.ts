import { type Dispatcher, getGlobalDispatcher } from 'undici';
import type { HostPolicy } from './host-policy.js';
import type { RequestLogger } from './log.js';
import { loggingLayer } from './logging.js';
import { redirectLayer } from './redirect.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, retryLayer } from './retry.js';
import { composeLayers, type Layer, type Send } from './types.js';
import { undiciSend } from './undici-send.js';

export interface HttpStackOptions {
  /** Default: undici's global dispatcher (the one `fetch` uses). */
  readonly dispatcher?: Dispatcher;
  /** Idle time (no headers, or no body progress) before a request is abandoned. Default 300 s. */
  readonly requestTimeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** One event per request, retry and token mint; never a secret. */
  readonly log?: RequestLogger;
  /** Where redirects (and, through `Authenticator`, token realms) may lead; see `HostPolicy`. */
  readonly hostPolicy?: HostPolicy;
}

/**
 * The house's one HTTP stack: logging → retry → the caller's layers (authentication) → redirects
 * → undici. The registry client and the Artifact Registry REST client are both built on it, so
 * every call retries, refreshes its credential and logs the same way.
 */
export function createHttpStack(options: HttpStackOptions, ...layers: Layer[]): Send {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  return composeLayers(
    undiciSend(options.dispatcher ?? getGlobalDispatcher(), {
      requestTimeoutMs: options.requestTimeoutMs ?? 300_000,
    }),
    ...(options.log ? [loggingLayer(options.log)] : []),
    retryLayer(policy, options.log),
    ...layers,
    redirectLayer(options.hostPolicy),
  );
}
