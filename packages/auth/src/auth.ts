import type { ArResolvedConfig } from '@ar/config';
import { isArError } from '@ar/errors';
import { TokenCache } from './cache/token-cache.js';
import type { AccessToken, RegistryCredential } from './credential.js';
import { lookupDockerCredential } from './docker/docker-config.js';
import { ArAuthError } from './errors.js';
import { isGoogleRegistry, normalizeRegistryHost } from './hosts.js';
import type { DetectedSource, TokenSource } from './source.js';
import { accessTokenSource } from './sources/access-token.js';
import { adcSource } from './sources/adc.js';
import { gcloudSource } from './sources/gcloud.js';
import { clientFromToken, impersonate } from './sources/google-client.js';
import { metadataSource } from './sources/metadata.js';
import { serviceAccountKeySource } from './sources/service-account-key.js';

export interface AuthDescription {
  source: string;
  account: string | undefined;
  origin: string;
  impersonating: { target: string; delegates: readonly string[] } | undefined;
  expiresAt: number | undefined;
  /** Why each source before the one that answered did not apply. */
  skipped: ReadonlyArray<{ source: string; reason: string }>;
}

export interface CachedTokenFile {
  file: string;
  source: string;
  account: string | undefined;
  /** The refresh margin: a token with less life left must not be handed out. */
  marginMs: number;
  /** Files detection read; a change to any of them may change the identity, and so the file. */
  dependsOn: readonly string[];
}

export interface AuthOptions {
  /** Replaces the built-in sources; the config's `auth.sources` still picks and orders them by name. */
  sources?: readonly TokenSource[];
  now?: () => number;
}

export interface Auth {
  /** A Google access token with at least the refresh margin left. `forceRefresh` after a 401. */
  accessToken(options?: { forceRefresh?: boolean; signal?: AbortSignal }): Promise<AccessToken>;
  /**
   * A token that needs no network and no heavy module: a fresh cached one, or a static one;
   * undefined otherwise.
   */
  cachedAccessToken(): Promise<AccessToken | undefined>;
  /**
   * Where the token for the identity found here is cached, with the files that identity was read
   * from: a process that remembers both (the credential helper) can answer later calls by reading
   * that one file. Undefined for static tokens and when tokens stay in memory.
   */
  cachedTokenFile(): Promise<CachedTokenFile | undefined>;
  /**
   * Credentials for a registry: Google's for Google hosts, Docker's config.json for any other;
   * undefined means anonymous. Google credentials never go to another host.
   */
  registryCredential(
    serverUrl: string,
    options?: { forceRefresh?: boolean; signal?: AbortSignal },
  ): Promise<RegistryCredential | undefined>;
  isGoogleRegistry(serverUrl: string): boolean;
  /** Which source answers, for whom, and until when (`gar auth status`, `gar doctor`). */
  describe(options?: { signal?: AbortSignal }): Promise<AuthDescription>;
}

export function builtinSources(): TokenSource[] {
  return [accessTokenSource, serviceAccountKeySource, adcSource, metadataSource, gcloudSource()];
}

/** The provider chain over one resolved config. */
export function createAuth(config: ArResolvedConfig, options: AuthOptions = {}): Auth {
  const available = new Map((options.sources ?? builtinSources()).map((source) => [source.name, source]));
  const cache = new TokenCache({
    dir: config.auth.cacheDir,
    marginMs: config.auth.refreshMarginSeconds * 1000,
    ...(options.now ? { now: options.now } : {}),
  });
  const { impersonateServiceAccount: target, delegates, scopes } = config.auth;
  let detected: Promise<{ found: DetectedSource; skipped: AuthDescription['skipped'] }> | undefined;

  const detect = (signal?: AbortSignal) => {
    detected ??= detectChain(config, available, signal);
    // A failed detection is not remembered: the next call looks again.
    detected.catch(() => {
      detected = undefined;
    });
    return detected;
  };

  const cacheKey = (found: DetectedSource) =>
    JSON.stringify([found.identity, target ?? null, delegates, [...scopes].sort()]);

  const accessToken: Auth['accessToken'] = async (request = {}) => {
    const { found } = await detect(request.signal);
    const fetchToken = async () => {
      const token = await found.fetchToken(scopes, request.signal);
      return target ? impersonate(await clientFromToken(token), target, delegates, scopes, config) : token;
    };
    const account = target ?? found.account;
    if (!found.cacheable && !target) {
      const token = await fetchToken();
      return { token: token.token, expiresAt: token.expiresAt, source: found.source, account };
    }
    const entry = await cache.get(cacheKey(found), fetchToken, {
      forceRefresh: request.forceRefresh ?? false,
    });
    return { token: entry.token, expiresAt: entry.expiresAt, source: found.source, account };
  };

  return {
    accessToken,
    async cachedAccessToken() {
      const { found } = await detect();
      // A static token costs a file read at most: it is "cached" by nature.
      if (!found.cacheable && !target) return accessToken();
      const entry = await cache.peek(cacheKey(found));
      return (
        entry && {
          token: entry.token,
          expiresAt: entry.expiresAt,
          source: found.source,
          account: target ?? found.account,
        }
      );
    },
    async cachedTokenFile() {
      const { found } = await detect();
      const file = (found.cacheable || target) && cache.fileFor(cacheKey(found));
      return file
        ? {
            file,
            source: found.source,
            account: target ?? found.account,
            marginMs: config.auth.refreshMarginSeconds * 1000,
            dependsOn: found.files ?? [],
          }
        : undefined;
    },
    isGoogleRegistry: (serverUrl) => isGoogleRegistry(serverUrl, config),
    async registryCredential(serverUrl, request = {}) {
      const host = normalizeRegistryHost(serverUrl);
      if (!isGoogleRegistry(host, config))
        return lookupDockerCredential(host, config.docker.configDir, request.signal);
      const { found } = await detect(request.signal);
      if (found.serviceAccountKey && !target && config.auth.keyMode !== 'exchange') {
        return config.auth.keyMode === 'json-key'
          ? { username: '_json_key', password: found.serviceAccountKey }
          : {
              username: '_json_key_base64',
              password: Buffer.from(found.serviceAccountKey).toString('base64'),
            };
      }
      const token = await accessToken(request);
      return { username: config.auth.registryUsername, password: token.token };
    },
    async describe(request = {}) {
      const { found, skipped } = await detect(request.signal);
      const token = await accessToken(request);
      return {
        source: found.source,
        account: token.account,
        origin: found.origin,
        impersonating: target ? { target, delegates } : undefined,
        expiresAt: token.expiresAt,
        skipped,
      };
    },
  };
}

async function detectChain(
  config: ArResolvedConfig,
  available: ReadonlyMap<string, TokenSource>,
  signal: AbortSignal | undefined,
): Promise<{ found: DetectedSource; skipped: AuthDescription['skipped'] }> {
  const skipped: Array<{ source: string; reason: string }> = [];
  for (const name of config.auth.sources) {
    const source = available.get(name);
    if (!source) {
      skipped.push({ source: name, reason: 'not registered' });
      continue;
    }
    try {
      return { found: await source.detect({ config, ...(signal ? { signal } : {}) }), skipped };
    } catch (error) {
      if (!isArError(error, 'AR_AUTH_SOURCE_ABSENT')) throw error;
      skipped.push({ source: name, reason: error.message });
    }
  }
  throw new ArAuthError(
    'AR_AUTH_NO_CREDENTIALS',
    `No Google credentials found. Tried, in order:\n${skipped.map((s) => `  ${s.source}: ${s.reason}`).join('\n')}\n` +
      'Set GOOGLE_APPLICATION_CREDENTIALS to a key file, run `gcloud auth application-default login`, ' +
      'set GAR_ACCESS_TOKEN, or add "gcloud" to auth.sources.',
  );
}
