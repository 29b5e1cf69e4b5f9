import { ArError, type ArErrorOptions, type ErrorKind } from '@ar/errors';

export type AuthErrorCode =
  /** A source does not apply here (no key file, no metadata server): the chain moves on. */
  | 'AR_AUTH_SOURCE_ABSENT'
  /** No source in the chain applied. */
  | 'AR_AUTH_NO_CREDENTIALS'
  /** A source is present but unusable: unreadable or malformed file, unsupported credential type. */
  | 'AR_AUTH_SOURCE_BROKEN'
  /** The token endpoint, metadata server or gcloud refused to give a token. */
  | 'AR_AUTH_TOKEN_REFUSED'
  /** IAM Credentials refused to mint a token for the impersonated service account. */
  | 'AR_AUTH_IMPERSONATION_FAILED'
  /** Docker's config.json is not valid JSON; it was left untouched. */
  | 'AR_AUTH_DOCKER_CONFIG_MALFORMED'
  /** Docker's config.json could not be read or written. */
  | 'AR_AUTH_DOCKER_CONFIG_IO'
  /** A Docker credential helper failed or answered nonsense. */
  | 'AR_AUTH_CREDENTIAL_HELPER_FAILED'
  /** A host name given to configure-docker is not a registry host. */
  | 'AR_AUTH_INVALID_HOST';

/**
 * The kind of every code: a new code does not compile until it is placed here. Docker's
 * config.json is a local file the user fixes: FAILED_PRECONDITION, whatever is wrong with it.
 */
export const AUTH_ERROR_KINDS: Readonly<Record<AuthErrorCode, ErrorKind>> = {
  AR_AUTH_SOURCE_ABSENT: 'UNAUTHENTICATED',
  AR_AUTH_NO_CREDENTIALS: 'UNAUTHENTICATED',
  AR_AUTH_SOURCE_BROKEN: 'UNAUTHENTICATED',
  AR_AUTH_TOKEN_REFUSED: 'UNAUTHENTICATED',
  AR_AUTH_IMPERSONATION_FAILED: 'UNAUTHENTICATED',
  AR_AUTH_DOCKER_CONFIG_MALFORMED: 'FAILED_PRECONDITION',
  AR_AUTH_DOCKER_CONFIG_IO: 'FAILED_PRECONDITION',
  AR_AUTH_CREDENTIAL_HELPER_FAILED: 'UNAUTHENTICATED',
  AR_AUTH_INVALID_HOST: 'INVALID_ARGUMENT',
};

export class ArAuthError extends ArError<AuthErrorCode> {
  constructor(code: AuthErrorCode, message: string, options: Omit<ArErrorOptions, 'kind'> = {}) {
    super(code, message, { ...options, kind: AUTH_ERROR_KINDS[code] });
  }
}

/** What a source throws when it does not apply here; `reason` tells `describe()` and the final error why. */
export function sourceAbsent(reason: string): ArAuthError {
  return new ArAuthError('AR_AUTH_SOURCE_ABSENT', reason);
}
