// `@ar/registry/http`: the layers of the registry client's HTTP stack, for every HTTP client of
// the house (core's REST client is built on them).
export { type AccessTokenProvider, bearerTokenLayer } from './bearer.js';
export { type HostPolicy, isGoogleRegistry, realmAllowed, redirectAllowed } from './host-policy.js';
export { formatRequestLogEvent, type RequestLogEvent, type RequestLogger, redactUrl } from './log.js';
export { loggingLayer } from './logging.js';
export { redirectLayer } from './redirect.js';
export {
  Backoff,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  type RetryPolicy,
  retryAfterMs,
  retryLayer,
} from './retry.js';
export { createHttpStack, type HttpStackOptions } from './stack.js';
export {
  composeLayers,
  discard,
  header,
  type Layer,
  type RegistryRequest,
  type RegistryResponse,
  type RequestBody,
  type Send,
  type StreamBody,
} from './types.js';
export { type UndiciSendOptions, undiciSend } from './undici-send.js';
