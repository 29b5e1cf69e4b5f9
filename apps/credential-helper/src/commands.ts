import { createAuth, isGoogleRegistry, normalizeRegistryHost, readDockerConfig } from '@ar/auth';
import type { ArResolvedConfig } from '@ar/config';
import type { HelperContext } from './context.js';
import { type HelperAnswer, HelperFailure, NOT_FOUND } from './protocol.js';
import { saveWarmRecord } from './save-warm-record.js';

async function resolve(context: HelperContext): Promise<ArResolvedConfig> {
  const { resolveConfig } = await import('@ar/config');
  const { config } = resolveConfig({ env: context.env, cwd: context.cwd });
  context.logFile = config.helper.log;
  return config;
}

/**
 * `get` when the warm path could not answer: resolve the config, get a token (one fetch across
 * parallel calls, through the token cache) and leave a warm record for the next call.
 */
export async function get(serverUrl: string, context: HelperContext): Promise<HelperAnswer> {
  if (!serverUrl) throw new HelperFailure('no server URL on stdin; Docker writes the registry host there');
  const host = normalizeRegistryHost(serverUrl);
  Object.assign(context.report, { host, path: 'cold' });
  const config = await resolve(context);
  const auth = createAuth(config);
  if (!auth.isGoogleRegistry(host)) throw new HelperFailure(NOT_FOUND);
  const credential = await auth.registryCredential(host);
  if (!credential) throw new HelperFailure(NOT_FOUND);
  context.secrets.push(credential.password);
  if (config.auth.keyMode === 'exchange') {
    const token = await auth.cachedAccessToken();
    if (token) {
      Object.assign(context.report, {
        source: token.source,
        account: token.account,
        expiresAt: token.expiresAt,
      });
    }
    const tokenFile = await auth.cachedTokenFile();
    // Best effort: without a record the next call is simply cold again.
    if (tokenFile) await saveWarmRecord(context, config, tokenFile).catch(() => {});
  }
  return { ServerURL: serverUrl, Username: credential.username, Secret: credential.password };
}

/**
 * `store` / `erase`: Docker calls them on `docker login` / `logout`. We keep no credentials, so for
 * Google hosts they succeed silently (or fail, in strict mode); other hosts are not ours to store.
 */
export async function storeOrErase(
  command: 'store' | 'erase',
  input: string,
  context: HelperContext,
): Promise<void> {
  const serverUrl = command === 'store' ? storeServerUrl(input) : input;
  const host = normalizeRegistryHost(serverUrl);
  context.report.host = host;
  const config = await resolve(context);
  if (!isGoogleRegistry(host, config)) {
    throw new HelperFailure(
      `docker-credential-gar keeps no credentials for ${host}; use another credsStore for it`,
    );
  }
  if (config.helper.strict) {
    throw new HelperFailure(
      `docker-credential-gar does not ${command} credentials: ${host} gets fresh tokens on every get (helper.strict is on)`,
    );
  }
}

function storeServerUrl(input: string): string {
  try {
    const parsed = JSON.parse(input) as { ServerURL?: unknown };
    if (typeof parsed.ServerURL === 'string' && parsed.ServerURL) return parsed.ServerURL;
  } catch {}
  throw new HelperFailure('store expects {"ServerURL","Username","Secret"} JSON on stdin');
}

/** `list`: the Google hosts Docker's config hands to this helper, with the username they get. */
export async function list(context: HelperContext): Promise<Record<string, string>> {
  const config = await resolve(context);
  const { json } = await readDockerConfig(config.docker.configDir);
  const hosts = Object.entries(json.credHelpers ?? {})
    .filter(([host, helper]) => helper === 'gar' && isGoogleRegistry(host, config))
    .map(([host]) => [host, config.auth.registryUsername] as const);
  return Object.fromEntries(hosts);
}
