import type { AuthErrorCode } from '@ar/auth';
import type { ConfigErrorCode } from '@ar/config';

/**
 * Every error code the helper can meet, and what Docker sees. The protocol knows one failure
 * status, so all are 1; what differs is the one-line hint printed after the message. A new code
 * fails the build here until someone decides how the helper shows it.
 */
export const ERROR_HINTS: Record<AuthErrorCode | ConfigErrorCode, string> = {
  AR_AUTH_SOURCE_ABSENT: '',
  AR_AUTH_NO_CREDENTIALS: '',
  AR_AUTH_SOURCE_BROKEN: '',
  AR_AUTH_TOKEN_REFUSED: '',
  AR_AUTH_IMPERSONATION_FAILED: '',
  AR_AUTH_DOCKER_CONFIG_MALFORMED: '',
  AR_AUTH_DOCKER_CONFIG_IO: '',
  AR_AUTH_CREDENTIAL_HELPER_FAILED: '',
  AR_AUTH_INVALID_HOST: '',
  AR_CONFIG_INVALID: 'Fix the gar config (see `gar doctor`).',
};

export const FAILURE_STATUS = 1;
