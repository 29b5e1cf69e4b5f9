export interface AccessToken {
  token: string;
  /** Epoch milliseconds; undefined for a static token whose life we cannot know. */
  expiresAt: number | undefined;
  /** The source that answered, e.g. "service-account-key". */
  source: string;
  /** The identity the token stands for, when known; the impersonated account when impersonating. */
  account: string | undefined;
}

/** What a registry receives as HTTP Basic credentials (or a Docker `identitytoken`). */
export interface RegistryCredential {
  username: string;
  password: string;
}
