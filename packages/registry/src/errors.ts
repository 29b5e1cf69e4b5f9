import { ArError, type ArErrorOptions, type ErrorKind } from '@ar/errors';

/** Every code this package throws; {@link REGISTRY_ERROR_KINDS} says what kind each is. */
export const REGISTRY_ERROR_CODES = [
  /** No credential, or the registry refused the one given (after one refresh). */
  'AR_REGISTRY_UNAUTHORIZED',
  /** Authenticated, but the identity lacks the permission (push needs writer, pull needs reader). */
  'AR_REGISTRY_DENIED',
  /** The token endpoint answered with an error or nonsense. */
  'AR_REGISTRY_TOKEN_FAILED',
  /** A manifest or tag does not exist. */
  'AR_REGISTRY_MANIFEST_NOT_FOUND',
  /** A blob does not exist. */
  'AR_REGISTRY_BLOB_NOT_FOUND',
  /** The repository does not exist. */
  'AR_REGISTRY_NAME_UNKNOWN',
  /** The tag already points to another digest and the repository has immutable tags. */
  'AR_REGISTRY_TAG_IMMUTABLE',
  /** Bytes read do not hash to the digest asked for: nothing was written. */
  'AR_REGISTRY_DIGEST_MISMATCH',
  /** Bytes read are more or fewer than the descriptor's size: nothing was written. */
  'AR_REGISTRY_SIZE_MISMATCH',
  /** A manifest larger than the 4 MiB cap. */
  'AR_REGISTRY_MANIFEST_TOO_LARGE',
  /** A manifest or index that is not valid JSON of a known shape, or that the registry refused. */
  'AR_REGISTRY_MANIFEST_INVALID',
  /** A media type this client does not handle (e.g. zstd layers when writing a docker tar). */
  'AR_REGISTRY_UNSUPPORTED_MEDIA_TYPE',
  /** No manifest in an index matches the platform asked for. */
  'AR_REGISTRY_PLATFORM_NOT_FOUND',
  /** The registry does not offer an endpoint (e.g. the catalog). */
  'AR_REGISTRY_UNSUPPORTED',
  /** An OCI layout folder or docker tar is malformed or lacks what was asked for. */
  'AR_REGISTRY_ARCHIVE_INVALID',
  /** A local file could not be read or written. */
  'AR_REGISTRY_IO',
  /** Connection refused/reset, DNS failure, TLS failure: often transient. */
  'AR_REGISTRY_NETWORK',
  /** No response (or no body progress) within the request timeout. */
  'AR_REGISTRY_TIMEOUT',
  /**
   * A registry named a token realm its credential may not be sent to: a Google registry's realm
   * off Google's hosts and off its configured endpoint, or a realm the host policy refuses.
   * Nothing was sent there, and the realm is not remembered.
   */
  'AR_REGISTRY_REALM_NOT_ALLOWED',
  /**
   * A redirect the client may not follow: to a host the host policy refuses, from https to http,
   * or a write (PUT, POST, PATCH, DELETE) leaving the registry. Nothing was sent there.
   */
  'AR_REGISTRY_REDIRECT_NOT_ALLOWED',
  /** The registry is overloaded or failing (408, 429, 5xx) and retries ran out. */
  'AR_REGISTRY_UNAVAILABLE',
  /** Any other unexpected HTTP answer. */
  'AR_REGISTRY_HTTP',
  /** The caller's AbortSignal fired. */
  'AR_REGISTRY_ABORTED',
  /** A bad argument: an unparsable reference, a missing option. */
  'AR_REGISTRY_INVALID_ARGUMENT',
] as const;

export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

/**
 * The kind of every code: a new code does not compile until it is placed here. Local files
 * (archives, layouts) are FAILED_PRECONDITION: nothing works until someone fixes the file.
 */
export const REGISTRY_ERROR_KINDS: Readonly<Record<RegistryErrorCode, ErrorKind>> = {
  AR_REGISTRY_UNAUTHORIZED: 'UNAUTHENTICATED',
  AR_REGISTRY_DENIED: 'PERMISSION_DENIED',
  AR_REGISTRY_TOKEN_FAILED: 'UNAUTHENTICATED',
  AR_REGISTRY_MANIFEST_NOT_FOUND: 'NOT_FOUND',
  AR_REGISTRY_BLOB_NOT_FOUND: 'NOT_FOUND',
  AR_REGISTRY_NAME_UNKNOWN: 'NOT_FOUND',
  AR_REGISTRY_TAG_IMMUTABLE: 'FAILED_PRECONDITION',
  AR_REGISTRY_DIGEST_MISMATCH: 'DATA_LOSS',
  AR_REGISTRY_SIZE_MISMATCH: 'DATA_LOSS',
  AR_REGISTRY_MANIFEST_TOO_LARGE: 'INVALID_ARGUMENT',
  AR_REGISTRY_MANIFEST_INVALID: 'INVALID_ARGUMENT',
  AR_REGISTRY_UNSUPPORTED_MEDIA_TYPE: 'INVALID_ARGUMENT',
  AR_REGISTRY_PLATFORM_NOT_FOUND: 'NOT_FOUND',
  AR_REGISTRY_UNSUPPORTED: 'INVALID_ARGUMENT',
  AR_REGISTRY_ARCHIVE_INVALID: 'FAILED_PRECONDITION',
  AR_REGISTRY_IO: 'FAILED_PRECONDITION',
  AR_REGISTRY_NETWORK: 'UNAVAILABLE',
  AR_REGISTRY_TIMEOUT: 'DEADLINE_EXCEEDED',
  // The registry pointed the client where its credential (or, under a host policy, the client) may not go.
  AR_REGISTRY_REALM_NOT_ALLOWED: 'PERMISSION_DENIED',
  AR_REGISTRY_REDIRECT_NOT_ALLOWED: 'PERMISSION_DENIED',
  AR_REGISTRY_UNAVAILABLE: 'UNAVAILABLE',
  AR_REGISTRY_HTTP: 'UNKNOWN',
  AR_REGISTRY_ABORTED: 'CANCELLED',
  AR_REGISTRY_INVALID_ARGUMENT: 'INVALID_ARGUMENT',
};

export interface RegistryErrorDetails {
  /** HTTP status, when the error comes from a response. */
  readonly status?: number;
  /** The registry's `errors[].code` values (`MANIFEST_UNKNOWN`, `DENIED`, …). */
  readonly registryCodes?: readonly string[];
  /** Seconds the server asked to wait (`Retry-After`). */
  readonly retryAfterSeconds?: number;
}

export class RegistryError extends ArError<RegistryErrorCode> {
  readonly status: number | undefined;
  readonly registryCodes: readonly string[];
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: RegistryErrorCode,
    message: string,
    options: Omit<ArErrorOptions, 'kind'> & RegistryErrorDetails = {},
  ) {
    super(code, message, { ...options, kind: REGISTRY_ERROR_KINDS[code] });
    this.status = options.status;
    this.registryCodes = options.registryCodes ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function abortedError(signal: AbortSignal | undefined): RegistryError {
  return new RegistryError('AR_REGISTRY_ABORTED', 'The operation was cancelled by its caller.', {
    cause: signal?.reason,
  });
}
