import type { AuthErrorCode } from '@ar/auth';
import type { ConfigErrorCode } from '@ar/config';
import type { CoreErrorCode } from '@ar/core';
import type { ErrorKind } from '@ar/errors';
import type { ImageRefErrorCode } from '@ar/image-ref';
import type { RegistryErrorCode } from '@ar/registry';
import { API_ERROR_KINDS, type ApiErrorCode } from './errors.js';

export type AnyErrorCode =
  | ApiErrorCode
  | AuthErrorCode
  | ConfigErrorCode
  | CoreErrorCode
  | ImageRefErrorCode
  | RegistryErrorCode;

/**
 * The HTTP status of each kind of error. The principles: the caller's input → 400; the caller's
 * identity → 401/403; the service's own Google credential or an upstream failing → 502/503/504
 * (the caller can do nothing about it but retry or call an operator); upstream "no such thing"
 * → 404; upstream "already/still" → 409. The README shows the resulting table.
 */
export const HTTP_STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  INVALID_ARGUMENT: 400,
  OUT_OF_RANGE: 400,
  // Only the service's own credential is ever UNAUTHENTICATED below it (the caller's is
  // AR_API_UNAUTHENTICATED): the upstream refused the service, not the caller.
  UNAUTHENTICATED: 502,
  // The caller's grant, or the service's identity lacking an IAM role an operator grants.
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 409,
  RESOURCE_EXHAUSTED: 429,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  // In the service, only shutdown cuts an operation short.
  CANCELLED: 503,
  DATA_LOSS: 502,
  UNKNOWN: 502,
  INTERNAL: 500,
};

/** Where the service answers other than by the kind, and why. */
export const HTTP_STATUS_OVERRIDES: Readonly<Partial<Record<AnyErrorCode, number>>> = {
  // The caller's own credential, the one UNAUTHENTICATED that is the caller's business.
  AR_API_UNAUTHENTICATED: 401,
  // HTTP has finer words than INVALID_ARGUMENT for these two.
  AR_API_BODY_TOO_LARGE: 413,
  AR_API_UNSUPPORTED_MEDIA_TYPE: 415,
  // An upstream pointed the service where it may not go (a realm or redirect off allowedHosts).
  AR_REGISTRY_REALM_NOT_ALLOWED: 502,
  AR_REGISTRY_REDIRECT_NOT_ALLOWED: 502,
  // The service has no usable credential at all: it cannot serve until an operator fixes that.
  AR_AUTH_SOURCE_ABSENT: 503,
  AR_AUTH_NO_CREDENTIALS: 503,
  AR_AUTH_SOURCE_BROKEN: 503,
  // Local files and config: a request never names one, so each is the service's own fault.
  AR_AUTH_DOCKER_CONFIG_MALFORMED: 500,
  AR_AUTH_DOCKER_CONFIG_IO: 500,
  AR_REGISTRY_ARCHIVE_INVALID: 500,
  AR_REGISTRY_IO: 500,
  AR_CONFIG_INVALID: 500,
};

/**
 * The status of an error code of the given kind (by default, the kind the service gives its own
 * codes). An unknown code (a plugin's) answers by its kind; one without a kind is a bad gateway,
 * never a 200.
 */
export function httpStatusOf(
  code: string,
  kind: ErrorKind | undefined = (API_ERROR_KINDS as Record<string, ErrorKind>)[code],
): number {
  const override = (HTTP_STATUS_OVERRIDES as Record<string, number | undefined>)[code];
  return override ?? (kind === undefined ? 502 : HTTP_STATUS_BY_KIND[kind]);
}
