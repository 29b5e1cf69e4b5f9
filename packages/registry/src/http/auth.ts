import { RegistryError } from '../errors.js';
import { type Challenge, pickChallenge } from './challenge.js';
import { type HostPolicy, realmAllowed } from './host-policy.js';
import { type RequestLogger, redactUrl } from './log.js';
import {
  discard,
  header,
  type Layer,
  type RegistryRequest,
  type RegistryResponse,
  type Send,
} from './types.js';

export interface RegistryCredential {
  readonly username: string;
  readonly password: string;
}

/**
 * Where credentials come from: exactly `createAuth(config).registryCredential` of `@ar/auth`, or
 * any function of that shape. Undefined means anonymous. `forceRefresh` is asked after the
 * registry refused a token minted from the previous answer.
 */
export type CredentialProvider = (
  registryHost: string,
  options: { forceRefresh?: boolean; signal?: AbortSignal },
) => Promise<RegistryCredential | undefined>;

/** Docker's convention: this username means the password is an OAuth2 refresh (identity) token. */
export const IDENTITY_TOKEN_USERNAME = '<token>';

/** The distribution spec's default when the token endpoint gives no `expires_in`. */
const DEFAULT_TOKEN_LIFETIME_S = 60;
/** A cached token with less life than this left is not used even for a short request. */
const MIN_TOKEN_VALIDITY_MS = 10_000;

interface CachedToken {
  readonly authorization: string;
  readonly expiresAt: number;
  /** Full lifetime when minted: a registry whose tokens live less than a margin still gets used. */
  readonly lifetimeMs: number;
}

export interface AuthenticatorOptions {
  readonly credentials?: CredentialProvider;
  /** Sends token-endpoint requests (retried, never authenticated by this layer). */
  readonly tokenSend: Send;
  /** The configured endpoint of a registry: its own token service may live there. */
  readonly baseUrl: (registry: string) => URL;
  /** Whether the registry's credential is a Google one (see `isGoogleRegistry`). */
  readonly google: (registry: string) => boolean;
  /** Where realms other than the registry's own may be (see `realmAllowed`). */
  readonly hostPolicy?: HostPolicy;
  readonly log?: RequestLogger;
  readonly now?: () => number;
}

/**
 * The Bearer challenge flow of the distribution spec: learn each registry's challenge once, mint
 * tokens per registry and scope set at its realm, cache them until shortly before they expire,
 * and mint anew (asking the credential provider to refresh) when the registry refuses one.
 */
export class Authenticator {
  readonly #challenges = new Map<string, Challenge | null>();
  readonly #discovering = new Map<string, Promise<void>>();
  readonly #tokens = new Map<string, CachedToken>();
  readonly #minting = new Map<string, Promise<CachedToken | undefined>>();
  readonly #now: () => number;

  constructor(readonly options: AuthenticatorOptions) {
    this.#now = options.now ?? Date.now;
  }

  /** Learns the registry's challenge with `GET /v2/` once, so uploads never send a body unauthenticated. */
  async discover(registry: string, base: URL, next: Send, signal?: AbortSignal): Promise<void> {
    if (this.#challenges.has(registry)) return;
    let pending = this.#discovering.get(registry);
    if (!pending) {
      pending = (async () => {
        const response = await next({ method: 'GET', url: new URL('/v2/', base), registry, signal });
        await discard(response);
        if (response.status === 401)
          this.#challenges.set(
            registry,
            this.#admit(registry, pickChallenge(header(response, 'www-authenticate'))) ?? null,
          );
        else if (response.status < 500) this.#challenges.set(registry, null);
      })().finally(() => this.#discovering.delete(registry));
      this.#discovering.set(registry, pending);
    }
    await pending;
  }

  knowsChallenge(registry: string): boolean {
    return this.#challenges.has(registry);
  }

  learnChallenge(registry: string, response: RegistryResponse): Challenge | undefined {
    const challenge = this.#admit(registry, pickChallenge(header(response, 'www-authenticate')));
    if (challenge) this.#challenges.set(registry, challenge);
    return challenge;
  }

  /** Refuses (and so never remembers) a challenge whose realm the credential may not be sent to. */
  #admit(registry: string, challenge: Challenge | undefined): Challenge | undefined {
    const realm = challenge?.scheme === 'bearer' ? challenge.params.realm : undefined;
    if (realm === undefined) return challenge;
    let url: URL;
    try {
      url = new URL(realm);
    } catch (error) {
      throw new RegistryError(
        'AR_REGISTRY_TOKEN_FAILED',
        `${registry} named a token realm that is not a URL; it is not a working registry.`,
        { cause: error },
      );
    }
    const endpoint = this.options.baseUrl(registry);
    if (!realmAllowed(url, { endpoint, google: this.options.google(registry) }, this.options.hostPolicy))
      throw new RegistryError(
        'AR_REGISTRY_REALM_NOT_ALLOWED',
        `${registry} asked for a token from ${redactUrl(url)}, which is not ${registry}'s own token service ` +
          `and not a host its credential may be sent to${this.options.hostPolicy ? ' (not an allowed host)' : ' (Google credentials go only to Google)'}. ` +
          'Nothing was sent there. Check the registry endpoint configured for this host.',
      );
    return challenge;
  }

  /** The Authorization value for a request, or undefined when the registry asks for none. */
  async authorization(
    registry: string,
    scopes: readonly string[],
    options: { minValidityMs?: number; refresh?: boolean; signal?: AbortSignal } = {},
  ): Promise<string | undefined> {
    const challenge = this.#challenges.get(registry);
    if (!challenge) return undefined;
    const key = `${registry}\n${[...scopes].sort().join(' ')}`;
    if (options.refresh) this.#tokens.delete(key);
    const cached = this.#tokens.get(key);
    // Ask for the margin, but never more than half a token's life: when the registry mints
    // 5-minute tokens, a 15-minute margin would otherwise mean a new token per request.
    const minValidity = cached
      ? Math.max(MIN_TOKEN_VALIDITY_MS, Math.min(options.minValidityMs ?? 0, cached.lifetimeMs / 2))
      : 0;
    if (cached && cached.expiresAt - this.#now() > minValidity) return cached.authorization;
    let minting = this.#minting.get(key);
    if (!minting) {
      const reason = options.refresh ? 'refused by the registry' : cached ? 'expiring' : 'none cached';
      minting = this.#mint(registry, challenge, scopes, options.refresh === true, reason, options.signal)
        .then((token) => {
          if (token) this.#tokens.set(key, token);
          return token;
        })
        .finally(() => this.#minting.delete(key));
      this.#minting.set(key, minting);
    }
    return (await minting)?.authorization;
  }

  async #mint(
    registry: string,
    challenge: Challenge,
    scopes: readonly string[],
    forceRefresh: boolean,
    reason: string,
    signal: AbortSignal | undefined,
  ): Promise<CachedToken | undefined> {
    const credential = await this.options.credentials?.(registry, { forceRefresh, signal });
    if (challenge.scheme === 'basic') {
      if (!credential) return undefined;
      const basic = Buffer.from(`${credential.username}:${credential.password}`).toString('base64');
      // Basic credentials do not expire here; the provider decides when they change.
      return {
        authorization: `Basic ${basic}`,
        expiresAt: Number.POSITIVE_INFINITY,
        lifetimeMs: Number.POSITIVE_INFINITY,
      };
    }
    const realm = challenge.params.realm;
    if (!realm)
      throw new RegistryError(
        'AR_REGISTRY_TOKEN_FAILED',
        `${registry} asked for a Bearer token but named no realm; it is not a working registry.`,
      );
    this.options.log?.({ type: 'token', registry, scopes, reason });
    const realmUrl = new URL(realm);
    const service = challenge.params.service;
    let request: RegistryRequest;
    if (credential?.username === IDENTITY_TOKEN_USERNAME) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.password });
      if (service) form.set('service', service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      form.set('client_id', 'ar-registry');
      request = {
        method: 'POST',
        url: realmUrl,
        registry,
        idempotent: true,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal,
      };
    } else {
      if (service) realmUrl.searchParams.set('service', service);
      for (const scope of scopes) realmUrl.searchParams.append('scope', scope);
      const headers: Record<string, string> = {};
      if (credential)
        headers.authorization = `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
      request = { method: 'GET', url: realmUrl, registry, headers, signal };
    }
    const started = this.#now();
    const response = await this.options.tokenSend(request);
    const text = await response.body.text();
    if (response.status !== 200)
      throw tokenRefused(registry, response.status, text, credential !== undefined);
    let json: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new RegistryError(
        'AR_REGISTRY_TOKEN_FAILED',
        `The token service of ${registry} (${realmUrl.host}) answered with something that is not JSON.`,
        { cause: error },
      );
    }
    const token = typeof json.token === 'string' && json.token ? json.token : json.access_token;
    if (typeof token !== 'string' || !token)
      throw new RegistryError(
        'AR_REGISTRY_TOKEN_FAILED',
        `The token service of ${registry} (${realmUrl.host}) answered without a token.`,
      );
    const lifetimeS =
      typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : DEFAULT_TOKEN_LIFETIME_S;
    // Count from when we asked, not from issued_at: clocks differ, and early is safe.
    return {
      authorization: `Bearer ${token}`,
      expiresAt: started + lifetimeS * 1000,
      lifetimeMs: lifetimeS * 1000,
    };
  }
}

function tokenRefused(registry: string, status: number, body: string, hadCredential: boolean): RegistryError {
  let detail = '';
  try {
    const parsed = JSON.parse(body) as { errors?: { message?: string }[]; error_description?: string };
    detail = parsed.errors?.[0]?.message ?? parsed.error_description ?? '';
  } catch {
    // Not JSON: say nothing more than the status.
  }
  const suffix = detail ? ` (${detail.slice(0, 200)})` : '';
  if (status === 401 || status === 403)
    return new RegistryError(
      'AR_REGISTRY_UNAUTHORIZED',
      hadCredential
        ? `The token service of ${registry} refused the credential${suffix}. Refresh the access token (or use another credential) and retry.`
        : `${registry} requires authentication and no credential was found for it${suffix}. Configure credentials for ${registry}.`,
      { status },
    );
  return new RegistryError(
    'AR_REGISTRY_TOKEN_FAILED',
    `The token service of ${registry} answered HTTP ${status}${suffix}. Retry later.`,
    { status, retryable: status >= 500 || status === 429 },
  );
}

/** Adds credentials to each request; on a 401 challenge, mints a fresh token once and replays. */
export function authLayer(auth: Authenticator): Layer {
  return (next) => async (request) => {
    const scopes = request.scopes ?? [];
    // A streamed body (a blob upload) must not be sent only to be refused: learn the challenge
    // first. Anything else just goes, and a 401 teaches the challenge at no extra round trip.
    const streamed = typeof request.body === 'object' && !Buffer.isBuffer(request.body);
    if (streamed && !auth.knowsChallenge(request.registry))
      await auth.discover(request.registry, auth.options.baseUrl(request.registry), next, request.signal);
    const first = await auth.authorization(request.registry, scopes, {
      minValidityMs: request.minTokenValidityMs,
      signal: request.signal,
    });
    const response = await next(withAuthorization(request, first));
    // A 401 from where a redirect led (storage) is not the registry's challenge.
    if (response.status !== 401 || response.url.origin !== request.url.origin) return response;
    const challenge = auth.learnChallenge(request.registry, response);
    if (!challenge) return response;
    await discard(response);
    const asked = challenge.params.scope ? challenge.params.scope.split(' ') : [];
    const merged = [...new Set([...scopes, ...asked])];
    // Refresh the credential only when one was refused; a first contact just learnt the challenge.
    const second = await auth.authorization(request.registry, merged, {
      refresh: first !== undefined,
      signal: request.signal,
    });
    return next(withAuthorization(request, second));
  };
}

function withAuthorization(request: RegistryRequest, authorization: string | undefined): RegistryRequest {
  if (!authorization) return request;
  return { ...request, headers: { ...request.headers, authorization } };
}
