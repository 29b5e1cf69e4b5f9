import { ArError } from '@ar/errors';

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

export class ArAuthError extends ArError<AuthErrorCode> {}

/** What a source throws when it does not apply here; `reason` tells `describe()` and the final error why. */
export function sourceAbsent(reason: string): ArAuthError {
  return new ArAuthError('AR_AUTH_SOURCE_ABSENT', reason);
}
