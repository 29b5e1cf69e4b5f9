import { ArError, type ErrorKind, isArError } from '@ar/errors';

/** Every code an {@link ArCleanupPolicyError} can carry. */
export const CLEANUP_POLICY_ERROR_CODES = [
  'AR_CLEANUP_POLICY_INVALID',
  'AR_CLEANUP_POLICY_INVALID_DURATION',
] as const;

export type CleanupPolicyErrorCode = (typeof CLEANUP_POLICY_ERROR_CODES)[number];

/** The kind of every code: a new code does not compile until it is placed here. */
export const CLEANUP_POLICY_ERROR_KINDS: Readonly<Record<CleanupPolicyErrorCode, ErrorKind>> = {
  AR_CLEANUP_POLICY_INVALID: 'INVALID_ARGUMENT',
  AR_CLEANUP_POLICY_INVALID_DURATION: 'INVALID_ARGUMENT',
};

export class ArCleanupPolicyError extends ArError<CleanupPolicyErrorCode> {
  constructor(code: CleanupPolicyErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, { ...options, kind: CLEANUP_POLICY_ERROR_KINDS[code] });
  }
}

/** True for an error of this package (from any copy of it). */
export function isCleanupPolicyError(error: unknown): error is ArCleanupPolicyError {
  return isArError(error) && (CLEANUP_POLICY_ERROR_CODES as readonly string[]).includes(error.code);
}
