import type { AuthErrorCode } from '@ar/auth';
import type { ConfigErrorCode } from '@ar/config';
import type { CoreErrorCode } from '@ar/core';
import type { ImageRefErrorCode } from '@ar/image-ref';
import type { RegistryErrorCode } from '@ar/registry';
import type { ApiErrorCode } from './errors.js';

export type AnyErrorCode =
  | ApiErrorCode
  | AuthErrorCode
  | ConfigErrorCode
  | CoreErrorCode
  | ImageRefErrorCode
  | RegistryErrorCode;

/**
 * Every error code the service can meet, and its HTTP status: a new code in any package fails the
 * build until someone places it here. (@ar/emulator's codes are absent: the service talks to an
 * emulator only through @ar/registry and @ar/core, which map its answers to their own codes.) The principles: the caller's input → 400; the caller's
 * identity → 401/403; the service's own Google credential or an upstream failing → 502/503/504
 * (the caller can do nothing about it but retry or call an operator); upstream "no such thing"
 * → 404; upstream "already/still" → 409. The README shows this table.
 */
export const HTTP_STATUS: Record<AnyErrorCode, number> = {
  // The service's own codes.
  AR_API_UNAUTHENTICATED: 401,
  AR_API_FORBIDDEN: 403,
  AR_API_HOST_NOT_ALLOWED: 403,
  AR_API_LOCATION_NOT_ALLOWED: 400,
  AR_API_INVALID_REQUEST: 400,
  AR_API_BODY_TOO_LARGE: 413,
  AR_API_UNSUPPORTED_MEDIA_TYPE: 415,
  AR_API_RATE_LIMITED: 429,
  AR_API_ROUTE_NOT_FOUND: 404,
  AR_API_JOB_NOT_FOUND: 404,
  AR_API_JOBS_BUSY: 503,
  AR_API_JOB_CANCELLED: 503,
  AR_API_SHUTTING_DOWN: 503,
  AR_API_NOT_READY: 503,
  AR_API_INTERNAL: 500,
  // A bad reference or argument from the caller.
  AR_IMAGE_REF_NOT_A_STRING: 400,
  AR_IMAGE_REF_EMPTY: 400,
  AR_IMAGE_REF_TOO_LONG: 400,
  AR_IMAGE_REF_INVALID_NAME: 400,
  AR_IMAGE_REF_INVALID_COMPONENT: 400,
  AR_IMAGE_REF_UPPERCASE: 400,
  AR_IMAGE_REF_NAME_TOO_LONG: 400,
  AR_IMAGE_REF_INVALID_DOMAIN: 400,
  AR_IMAGE_REF_INVALID_TAG: 400,
  AR_IMAGE_REF_INVALID_DIGEST: 400,
  AR_IMAGE_REF_UNSUPPORTED_DIGEST: 400,
  AR_IMAGE_REF_BARE_IDENTIFIER: 400,
  AR_IMAGE_REF_NOT_CANONICAL: 400,
  AR_IMAGE_REF_NOT_ARTIFACT_REGISTRY: 400,
  AR_IMAGE_REF_INVALID_LOCATION: 400,
  AR_IMAGE_REF_INVALID_PROJECT_ID: 400,
  AR_IMAGE_REF_INVALID_REPOSITORY_ID: 400,
  AR_IMAGE_REF_MISSING_REPOSITORY: 400,
  AR_IMAGE_REF_MISSING_IMAGE: 400,
  AR_IMAGE_REF_NOT_A_REPOSITORY: 400,
  AR_IMAGE_REF_MISSING_DEFAULT: 400,
  AR_CORE_MISSING_DEFAULT: 400,
  AR_REST_INVALID_ARGUMENT: 400,
  AR_REGISTRY_INVALID_ARGUMENT: 400,
  AR_REGISTRY_MANIFEST_TOO_LARGE: 400,
  AR_REGISTRY_MANIFEST_INVALID: 400,
  AR_REGISTRY_UNSUPPORTED_MEDIA_TYPE: 400,
  AR_REGISTRY_UNSUPPORTED: 400,
  AR_AUTH_INVALID_HOST: 400,
  // The registry or API refused the service's identity: an operator grants it the IAM role named.
  AR_REST_PERMISSION_DENIED: 403,
  AR_REGISTRY_DENIED: 403,
  // Upstream has no such thing.
  AR_REST_NOT_FOUND: 404,
  AR_REGISTRY_MANIFEST_NOT_FOUND: 404,
  AR_REGISTRY_BLOB_NOT_FOUND: 404,
  AR_REGISTRY_NAME_UNKNOWN: 404,
  AR_REGISTRY_PLATFORM_NOT_FOUND: 404,
  AR_CORE_NOT_IN_UPSTREAMS: 404,
  // The state upstream forbids it: an immutable tag, a tagged version, a name taken.
  AR_REST_ALREADY_EXISTS: 409,
  AR_REGISTRY_TAG_IMMUTABLE: 409,
  AR_CORE_IMAGE_TAGGED: 409,
  // The service's own Google credential does not work: not the caller's fault.
  AR_AUTH_SOURCE_ABSENT: 503,
  AR_AUTH_NO_CREDENTIALS: 503,
  AR_AUTH_SOURCE_BROKEN: 503,
  AR_AUTH_TOKEN_REFUSED: 502,
  AR_AUTH_IMPERSONATION_FAILED: 502,
  AR_AUTH_CREDENTIAL_HELPER_FAILED: 502,
  AR_AUTH_DOCKER_CONFIG_MALFORMED: 500,
  AR_AUTH_DOCKER_CONFIG_IO: 500,
  AR_REST_UNAUTHENTICATED: 502,
  AR_REGISTRY_UNAUTHORIZED: 502,
  AR_REGISTRY_TOKEN_FAILED: 502,
  // An upstream pointed the service where it may not go (a realm or redirect off allowedHosts).
  AR_REGISTRY_REALM_NOT_ALLOWED: 502,
  AR_REGISTRY_REDIRECT_NOT_ALLOWED: 502,
  // Upstream unreachable, failing or slow.
  AR_REST_UNAVAILABLE: 503,
  AR_REST_FAILED: 502,
  AR_REGISTRY_NETWORK: 503,
  AR_REGISTRY_UNAVAILABLE: 503,
  AR_REGISTRY_HTTP: 502,
  AR_REGISTRY_TIMEOUT: 504,
  AR_REGISTRY_DIGEST_MISMATCH: 502,
  AR_REGISTRY_SIZE_MISMATCH: 502,
  // An operation cut short: in the service, only shutdown aborts one.
  AR_REGISTRY_ABORTED: 503,
  // Local files: the service never names one from a request, so these are its own faults.
  AR_REGISTRY_ARCHIVE_INVALID: 500,
  AR_REGISTRY_IO: 500,
  AR_CONFIG_INVALID: 500,
};

/** The status of any error code; an unknown code (a plugin's) is a bad gateway, never a 200. */
export function httpStatusOf(code: string): number {
  return (HTTP_STATUS as Record<string, number>)[code] ?? 502;
}
