import type { ArResolvedConfig } from '@ar/config';

/** A token as a source hands it over. */
export interface FetchedToken {
  token: string;
  /** Epoch milliseconds; absent when the source cannot tell (a static token). */
  expiresAt?: number;
}

/** What a source found here: who it would authenticate as, and how to get a token for them. */
export interface DetectedSource {
  /** The source's name, as listed in `auth.sources`. */
  source: string;
  /** Service account or user email, when the source can tell without a network call. */
  account?: string;
  /** Cache-key material naming this identity (file, account, host): never a secret. */
  identity: string;
  /** The files detection read (a key file, gcloud's active configuration): the identity changes with them. */
  files?: readonly string[];
  /** False for tokens we cannot refresh (static tokens): they are never cached. */
  cacheable: boolean;
  /** Where the credential came from, for `describe()` (a file path, a variable, a host). */
  origin: string;
  fetchToken(scopes: readonly string[], signal?: AbortSignal): Promise<FetchedToken>;
  /** The service-account key JSON, for the `_json_key` registry usernames. */
  serviceAccountKey?: string;
}

export interface SourceContext {
  config: ArResolvedConfig;
  signal?: AbortSignal;
}

/**
 * A token source: the plugin interface. `detect` is cheap (no network, no heavy imports) and
 * throws `sourceAbsent(reason)` when the source does not apply here; any other error is a
 * present-but-broken source and stops the chain.
 */
export interface TokenSource {
  readonly name: string;
  detect(context: SourceContext): Promise<DetectedSource>;
}
