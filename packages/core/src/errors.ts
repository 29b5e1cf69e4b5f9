import { ArError, type ArErrorOptions, type ErrorKind } from '@ar/errors';

export type CoreErrorCode =
  /** The Artifact Registry API has no such repository, image or project. */
  | 'AR_REST_NOT_FOUND'
  /** The caller lacks a permission; the message names it and the role that grants it. */
  | 'AR_REST_PERMISSION_DENIED'
  /** The API refused the credential. */
  | 'AR_REST_UNAUTHENTICATED'
  /** The request was malformed (a bad repository ID, an unknown mode). */
  | 'AR_REST_INVALID_ARGUMENT'
  /** The resource exists already. */
  | 'AR_REST_ALREADY_EXISTS'
  /** The API is unreachable or failing (retryable). */
  | 'AR_REST_UNAVAILABLE'
  /** Any other answer the API gave. */
  | 'AR_REST_FAILED'
  /** An operation needs a project, location or repository and none was given or configured. */
  | 'AR_CORE_MISSING_DEFAULT'
  /** Deleting an image version that tags still point to, without `deleteTags`. */
  | 'AR_CORE_IMAGE_TAGGED'
  /** A virtual repository's upstreams do not hold the image. */
  | 'AR_CORE_NOT_IN_UPSTREAMS'
  /** `copy --recursive` was given something that is not `HOST[/PATH]` (a tag, a digest, a bad path). */
  | 'AR_CORE_INVALID_PREFIX';

/** The kind of every code: a new code does not compile until it is placed here. */
export const CORE_ERROR_KINDS: Readonly<Record<CoreErrorCode, ErrorKind>> = {
  AR_REST_NOT_FOUND: 'NOT_FOUND',
  AR_REST_PERMISSION_DENIED: 'PERMISSION_DENIED',
  AR_REST_UNAUTHENTICATED: 'UNAUTHENTICATED',
  AR_REST_INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  AR_REST_ALREADY_EXISTS: 'ALREADY_EXISTS',
  AR_REST_UNAVAILABLE: 'UNAVAILABLE',
  AR_REST_FAILED: 'UNKNOWN',
  AR_CORE_MISSING_DEFAULT: 'INVALID_ARGUMENT',
  AR_CORE_IMAGE_TAGGED: 'FAILED_PRECONDITION',
  AR_CORE_NOT_IN_UPSTREAMS: 'NOT_FOUND',
  AR_CORE_INVALID_PREFIX: 'INVALID_ARGUMENT',
};

export class ArCoreError extends ArError<CoreErrorCode> {
  constructor(code: CoreErrorCode, message: string, options: Omit<ArErrorOptions, 'kind'> = {}) {
    super(code, message, { ...options, kind: CORE_ERROR_KINDS[code] });
  }
}
