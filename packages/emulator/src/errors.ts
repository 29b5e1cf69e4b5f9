import { ArError } from '@ar/errors';

/**
 * Every error the emulator raises on purpose. Library callers see the option/seed/start codes;
 * the request codes travel to clients as OCI errors (registry), Google JSON errors (REST, IAM)
 * or OAuth errors (token endpoint), each through the one table below.
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

export interface EmulatorErrorOptions extends ErrorOptions {
  retryable?: boolean;
  /** Extra detail for the OCI `detail` field (never a secret). */
  detail?: unknown;
  /** Seconds a rate-limited client should wait. */
  retryAfterSeconds?: number;
}

export class EmulatorError extends ArError<EmulatorErrorCode> {
  readonly detail: unknown;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: EmulatorErrorCode, message: string, options: EmulatorErrorOptions = {}) {
    super(code, message, options);
    this.detail = options.detail;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export interface WireForm {
  status: number;
  /** OCI distribution error code (registry API). */
  oci: string;
  /** google.rpc.Code name (REST and IAM APIs). */
  google: string;
}

/**
 * How each code looks on the wire. Exhaustive on purpose: a new code does not compile until
 * someone decides its status.
 */
export const WIRE_FORMS: Record<EmulatorErrorCode, WireForm> = {
  AR_EMULATOR_OPTIONS_INVALID: { status: 500, oci: 'UNKNOWN', google: 'INTERNAL' },
  AR_EMULATOR_SEED_INVALID: { status: 500, oci: 'UNKNOWN', google: 'INTERNAL' },
  AR_EMULATOR_KEY_FILE_EXISTS: { status: 500, oci: 'UNKNOWN', google: 'INTERNAL' },
  AR_EMULATOR_START_FAILED: { status: 500, oci: 'UNKNOWN', google: 'INTERNAL' },
  AR_EMULATOR_PRINCIPAL_UNKNOWN: { status: 404, oci: 'NAME_UNKNOWN', google: 'NOT_FOUND' },
  AR_EMULATOR_UNAUTHENTICATED: { status: 401, oci: 'UNAUTHORIZED', google: 'UNAUTHENTICATED' },
  AR_EMULATOR_DENIED: { status: 403, oci: 'DENIED', google: 'PERMISSION_DENIED' },
  AR_EMULATOR_NAME_INVALID: { status: 400, oci: 'NAME_INVALID', google: 'INVALID_ARGUMENT' },
  AR_EMULATOR_NAME_UNKNOWN: { status: 404, oci: 'NAME_UNKNOWN', google: 'NOT_FOUND' },
  AR_EMULATOR_MANIFEST_UNKNOWN: { status: 404, oci: 'MANIFEST_UNKNOWN', google: 'NOT_FOUND' },
  AR_EMULATOR_MANIFEST_INVALID: { status: 400, oci: 'MANIFEST_INVALID', google: 'INVALID_ARGUMENT' },
  AR_EMULATOR_MANIFEST_BLOB_UNKNOWN: {
    status: 400,
    oci: 'MANIFEST_BLOB_UNKNOWN',
    google: 'INVALID_ARGUMENT',
  },
  AR_EMULATOR_MANIFEST_TOO_LARGE: { status: 413, oci: 'MANIFEST_INVALID', google: 'INVALID_ARGUMENT' },
  AR_EMULATOR_BLOB_UNKNOWN: { status: 404, oci: 'BLOB_UNKNOWN', google: 'NOT_FOUND' },
  AR_EMULATOR_BLOB_UPLOAD_UNKNOWN: { status: 404, oci: 'BLOB_UPLOAD_UNKNOWN', google: 'NOT_FOUND' },
  AR_EMULATOR_CHUNKED_UPLOAD_UNSUPPORTED: {
    status: 400,
    oci: 'BLOB_UPLOAD_INVALID',
    google: 'INVALID_ARGUMENT',
  },
  AR_EMULATOR_DIGEST_INVALID: { status: 400, oci: 'DIGEST_INVALID', google: 'INVALID_ARGUMENT' },
  AR_EMULATOR_RANGE_INVALID: { status: 416, oci: 'BLOB_UNKNOWN', google: 'OUT_OF_RANGE' },
  AR_EMULATOR_TAG_INVALID: { status: 400, oci: 'TAG_INVALID', google: 'INVALID_ARGUMENT' },
  AR_EMULATOR_TAG_IMMUTABLE: { status: 400, oci: 'TAG_INVALID', google: 'FAILED_PRECONDITION' },
  AR_EMULATOR_READ_ONLY_REPOSITORY: { status: 405, oci: 'UNSUPPORTED', google: 'FAILED_PRECONDITION' },
  AR_EMULATOR_RATE_LIMITED: { status: 429, oci: 'TOOMANYREQUESTS', google: 'RESOURCE_EXHAUSTED' },
  AR_EMULATOR_UPSTREAM_FAILED: { status: 502, oci: 'UNKNOWN', google: 'UNAVAILABLE' },
  AR_EMULATOR_ALREADY_EXISTS: { status: 409, oci: 'UNKNOWN', google: 'ALREADY_EXISTS' },
  AR_EMULATOR_NOT_FOUND: { status: 404, oci: 'NAME_UNKNOWN', google: 'NOT_FOUND' },
  AR_EMULATOR_INVALID_ARGUMENT: { status: 400, oci: 'UNSUPPORTED', google: 'INVALID_ARGUMENT' },
  AR_EMULATOR_FAILED_PRECONDITION: { status: 400, oci: 'UNSUPPORTED', google: 'FAILED_PRECONDITION' },
  AR_EMULATOR_INVALID_GRANT: { status: 400, oci: 'UNAUTHORIZED', google: 'INVALID_ARGUMENT' },
  AR_EMULATOR_INTERNAL: { status: 500, oci: 'UNKNOWN', google: 'INTERNAL' },
};

/** Any thrown value as an EmulatorError: ours as they are, anything else as an internal error. */
export function asEmulatorError(error: unknown): EmulatorError {
  if (error instanceof EmulatorError) return error;
  return new EmulatorError('AR_EMULATOR_INTERNAL', 'Internal emulator error; see the emulator log.', {
    cause: error,
  });
}
