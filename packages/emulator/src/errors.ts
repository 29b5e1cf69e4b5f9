import { ArError, type ArErrorOptions, type ErrorKind } from '@ar/errors';

/**
 * Every error the emulator raises on purpose. Library callers see the option/seed/start codes;
 * the request codes travel to clients as OCI errors (registry), Google JSON errors (REST, IAM)
 * or OAuth errors (token endpoint), each through the tables below.
 */
export const EMULATOR_ERROR_CODES = [
  'AR_EMULATOR_OPTIONS_INVALID',
  'AR_EMULATOR_SEED_INVALID',
  'AR_EMULATOR_KEY_FILE_EXISTS',
  'AR_EMULATOR_START_FAILED',
  'AR_EMULATOR_PRINCIPAL_UNKNOWN',
  'AR_EMULATOR_UNAUTHENTICATED',
  'AR_EMULATOR_DENIED',
  'AR_EMULATOR_NAME_INVALID',
  'AR_EMULATOR_NAME_UNKNOWN',
  'AR_EMULATOR_MANIFEST_UNKNOWN',
  'AR_EMULATOR_MANIFEST_INVALID',
  'AR_EMULATOR_MANIFEST_BLOB_UNKNOWN',
  'AR_EMULATOR_MANIFEST_TOO_LARGE',
  'AR_EMULATOR_BLOB_UNKNOWN',
  'AR_EMULATOR_BLOB_UPLOAD_UNKNOWN',
  'AR_EMULATOR_CHUNKED_UPLOAD_UNSUPPORTED',
  'AR_EMULATOR_DIGEST_INVALID',
  'AR_EMULATOR_RANGE_INVALID',
  'AR_EMULATOR_TAG_INVALID',
  'AR_EMULATOR_TAG_IMMUTABLE',
  'AR_EMULATOR_READ_ONLY_REPOSITORY',
  'AR_EMULATOR_RATE_LIMITED',
  'AR_EMULATOR_UPSTREAM_FAILED',
  'AR_EMULATOR_ALREADY_EXISTS',
  'AR_EMULATOR_NOT_FOUND',
  'AR_EMULATOR_INVALID_ARGUMENT',
  'AR_EMULATOR_FAILED_PRECONDITION',
  'AR_EMULATOR_INVALID_GRANT',
  'AR_EMULATOR_INTERNAL',
] as const;

export type EmulatorErrorCode = (typeof EMULATOR_ERROR_CODES)[number];

/**
 * The kind of every code, which is also its google.rpc.Code name on the REST and IAM APIs.
 * Exhaustive on purpose: a new code does not compile until someone decides what it is.
 */
export const EMULATOR_ERROR_KINDS: Readonly<Record<EmulatorErrorCode, ErrorKind>> = {
  AR_EMULATOR_OPTIONS_INVALID: 'INVALID_ARGUMENT',
  AR_EMULATOR_SEED_INVALID: 'INVALID_ARGUMENT',
  AR_EMULATOR_KEY_FILE_EXISTS: 'FAILED_PRECONDITION',
  AR_EMULATOR_START_FAILED: 'INTERNAL',
  AR_EMULATOR_PRINCIPAL_UNKNOWN: 'NOT_FOUND',
  AR_EMULATOR_UNAUTHENTICATED: 'UNAUTHENTICATED',
  AR_EMULATOR_DENIED: 'PERMISSION_DENIED',
  AR_EMULATOR_NAME_INVALID: 'INVALID_ARGUMENT',
  AR_EMULATOR_NAME_UNKNOWN: 'NOT_FOUND',
  AR_EMULATOR_MANIFEST_UNKNOWN: 'NOT_FOUND',
  AR_EMULATOR_MANIFEST_INVALID: 'INVALID_ARGUMENT',
  AR_EMULATOR_MANIFEST_BLOB_UNKNOWN: 'INVALID_ARGUMENT',
  AR_EMULATOR_MANIFEST_TOO_LARGE: 'INVALID_ARGUMENT',
  AR_EMULATOR_BLOB_UNKNOWN: 'NOT_FOUND',
  AR_EMULATOR_BLOB_UPLOAD_UNKNOWN: 'NOT_FOUND',
  AR_EMULATOR_CHUNKED_UPLOAD_UNSUPPORTED: 'INVALID_ARGUMENT',
  AR_EMULATOR_DIGEST_INVALID: 'INVALID_ARGUMENT',
  AR_EMULATOR_RANGE_INVALID: 'OUT_OF_RANGE',
  AR_EMULATOR_TAG_INVALID: 'INVALID_ARGUMENT',
  AR_EMULATOR_TAG_IMMUTABLE: 'FAILED_PRECONDITION',
  AR_EMULATOR_READ_ONLY_REPOSITORY: 'FAILED_PRECONDITION',
  AR_EMULATOR_RATE_LIMITED: 'RESOURCE_EXHAUSTED',
  AR_EMULATOR_UPSTREAM_FAILED: 'UNAVAILABLE',
  AR_EMULATOR_ALREADY_EXISTS: 'ALREADY_EXISTS',
  AR_EMULATOR_NOT_FOUND: 'NOT_FOUND',
  AR_EMULATOR_INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  AR_EMULATOR_FAILED_PRECONDITION: 'FAILED_PRECONDITION',
  AR_EMULATOR_INVALID_GRANT: 'INVALID_ARGUMENT',
  AR_EMULATOR_INTERNAL: 'INTERNAL',
};

export interface EmulatorErrorOptions extends Omit<ArErrorOptions, 'kind'> {
  /** Extra detail for the OCI `detail` field (never a secret). */
  detail?: unknown;
  /** Seconds a rate-limited client should wait. */
  retryAfterSeconds?: number;
}

export class EmulatorError extends ArError<EmulatorErrorCode> {
  readonly detail: unknown;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: EmulatorErrorCode, message: string, options: EmulatorErrorOptions = {}) {
    super(code, message, { ...options, kind: EMULATOR_ERROR_KINDS[code] });
    this.detail = options.detail;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export interface WireForm {
  status: number;
  /** OCI distribution error code (registry API). */
  oci: string;
}

/**
 * How each code looks on the registry API (its Google name is its kind). Exhaustive on purpose:
 * a new code does not compile until someone decides its status. The option, seed and start codes
 * are thrown to library callers and never sent; their form only keeps the table total.
 */
export const WIRE_FORMS: Record<EmulatorErrorCode, WireForm> = {
  AR_EMULATOR_OPTIONS_INVALID: { status: 400, oci: 'UNKNOWN' },
  AR_EMULATOR_SEED_INVALID: { status: 400, oci: 'UNKNOWN' },
  AR_EMULATOR_KEY_FILE_EXISTS: { status: 500, oci: 'UNKNOWN' },
  AR_EMULATOR_START_FAILED: { status: 500, oci: 'UNKNOWN' },
  AR_EMULATOR_PRINCIPAL_UNKNOWN: { status: 404, oci: 'NAME_UNKNOWN' },
  AR_EMULATOR_UNAUTHENTICATED: { status: 401, oci: 'UNAUTHORIZED' },
  AR_EMULATOR_DENIED: { status: 403, oci: 'DENIED' },
  AR_EMULATOR_NAME_INVALID: { status: 400, oci: 'NAME_INVALID' },
  AR_EMULATOR_NAME_UNKNOWN: { status: 404, oci: 'NAME_UNKNOWN' },
  AR_EMULATOR_MANIFEST_UNKNOWN: { status: 404, oci: 'MANIFEST_UNKNOWN' },
  AR_EMULATOR_MANIFEST_INVALID: { status: 400, oci: 'MANIFEST_INVALID' },
  AR_EMULATOR_MANIFEST_BLOB_UNKNOWN: { status: 400, oci: 'MANIFEST_BLOB_UNKNOWN' },
  AR_EMULATOR_MANIFEST_TOO_LARGE: { status: 413, oci: 'MANIFEST_INVALID' },
  AR_EMULATOR_BLOB_UNKNOWN: { status: 404, oci: 'BLOB_UNKNOWN' },
  AR_EMULATOR_BLOB_UPLOAD_UNKNOWN: { status: 404, oci: 'BLOB_UPLOAD_UNKNOWN' },
  AR_EMULATOR_CHUNKED_UPLOAD_UNSUPPORTED: { status: 400, oci: 'BLOB_UPLOAD_INVALID' },
  AR_EMULATOR_DIGEST_INVALID: { status: 400, oci: 'DIGEST_INVALID' },
  AR_EMULATOR_RANGE_INVALID: { status: 416, oci: 'BLOB_UNKNOWN' },
  AR_EMULATOR_TAG_INVALID: { status: 400, oci: 'TAG_INVALID' },
  // As Artifact Registry answers it (MANIFEST_INVALID + its message): tools match on both.
  AR_EMULATOR_TAG_IMMUTABLE: { status: 400, oci: 'MANIFEST_INVALID' },
  AR_EMULATOR_READ_ONLY_REPOSITORY: { status: 405, oci: 'UNSUPPORTED' },
  AR_EMULATOR_RATE_LIMITED: { status: 429, oci: 'TOOMANYREQUESTS' },
  AR_EMULATOR_UPSTREAM_FAILED: { status: 502, oci: 'UNKNOWN' },
  AR_EMULATOR_ALREADY_EXISTS: { status: 409, oci: 'UNKNOWN' },
  AR_EMULATOR_NOT_FOUND: { status: 404, oci: 'NAME_UNKNOWN' },
  AR_EMULATOR_INVALID_ARGUMENT: { status: 400, oci: 'UNSUPPORTED' },
  AR_EMULATOR_FAILED_PRECONDITION: { status: 400, oci: 'UNSUPPORTED' },
  AR_EMULATOR_INVALID_GRANT: { status: 400, oci: 'UNAUTHORIZED' },
  AR_EMULATOR_INTERNAL: { status: 500, oci: 'UNKNOWN' },
};

/** Any thrown value as an EmulatorError: ours as they are, anything else as an internal error. */
export function asEmulatorError(error: unknown): EmulatorError {
  if (error instanceof EmulatorError) return error;
  return new EmulatorError('AR_EMULATOR_INTERNAL', 'Internal emulator error; see the emulator log.', {
    cause: error,
  });
}
