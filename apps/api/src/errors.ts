import { ArError, type ArErrorOptions, type ErrorKind } from '@ar/errors';

export type ApiErrorCode =
  /** No credential, or one that matches no caller (bad API key, invalid or expired ID token). */
  | 'AR_API_UNAUTHENTICATED'
  /** The caller is known but no grant of theirs covers the repository with the role needed. */
  | 'AR_API_FORBIDDEN'
  /** A reference names a registry host outside `api.allowedHosts`: the service will not contact it. */
  | 'AR_API_HOST_NOT_ALLOWED'
  /** A local location (`oci:`, `docker-archive:`): the service reads and writes registries only. */
  | 'AR_API_LOCATION_NOT_ALLOWED'
  /** The request does not match the endpoint's schema (query, body, path). */
  | 'AR_API_INVALID_REQUEST'
  /** The body is larger than the service accepts. */
  | 'AR_API_BODY_TOO_LARGE'
  /** The body is not JSON. */
  | 'AR_API_UNSUPPORTED_MEDIA_TYPE'
  /** The caller went over their request rate; `Retry-After` says when to come back. */
  | 'AR_API_RATE_LIMITED'
  /** No such route. */
  | 'AR_API_ROUTE_NOT_FOUND'
  /** No such job on this instance (or not the caller's). */
  | 'AR_API_JOB_NOT_FOUND'
  /** Too many copy jobs run already; retry later. */
  | 'AR_API_JOBS_BUSY'
  /** The job was cancelled because the service shut down before it finished. */
  | 'AR_API_JOB_CANCELLED'
  /** `api.jobs.store` names a Postgres database the service cannot open. */
  | 'AR_API_JOB_STORE_UNAVAILABLE'
  /** The service is shutting down and accepts no new work. */
  | 'AR_API_SHUTTING_DOWN'
  /** `/readyz`: the token source or a registry does not answer. */
  | 'AR_API_NOT_READY'
  /** A bug: anything that is not an ArError. */
  | 'AR_API_INTERNAL';

/**
 * The kind of every code: a new code does not compile until it is placed here. The body
 * codes are the caller's input (their HTTP status is finer than the kind's, see http-status.ts);
 * a busy or stopping service is UNAVAILABLE.
 */
export const API_ERROR_KINDS: Readonly<Record<ApiErrorCode, ErrorKind>> = {
  AR_API_UNAUTHENTICATED: 'UNAUTHENTICATED',
  AR_API_FORBIDDEN: 'PERMISSION_DENIED',
  AR_API_HOST_NOT_ALLOWED: 'PERMISSION_DENIED',
  AR_API_LOCATION_NOT_ALLOWED: 'INVALID_ARGUMENT',
  AR_API_INVALID_REQUEST: 'INVALID_ARGUMENT',
  AR_API_BODY_TOO_LARGE: 'INVALID_ARGUMENT',
  AR_API_UNSUPPORTED_MEDIA_TYPE: 'INVALID_ARGUMENT',
  AR_API_RATE_LIMITED: 'RESOURCE_EXHAUSTED',
  AR_API_ROUTE_NOT_FOUND: 'NOT_FOUND',
  AR_API_JOB_NOT_FOUND: 'NOT_FOUND',
  AR_API_JOBS_BUSY: 'UNAVAILABLE',
  AR_API_JOB_CANCELLED: 'CANCELLED',
  AR_API_JOB_STORE_UNAVAILABLE: 'UNAVAILABLE',
  AR_API_SHUTTING_DOWN: 'UNAVAILABLE',
  AR_API_NOT_READY: 'UNAVAILABLE',
  AR_API_INTERNAL: 'INTERNAL',
};

export class ArApiError extends ArError<ApiErrorCode> {
  /** Extra response fields, e.g. the image-ref error's offset; never a credential. */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ApiErrorCode,
    message: string,
    options: Omit<ArErrorOptions, 'kind'> & { details?: Record<string, unknown> } = {},
  ) {
    super(code, message, { ...options, kind: API_ERROR_KINDS[code] });
    this.details = options.details;
  }
}
