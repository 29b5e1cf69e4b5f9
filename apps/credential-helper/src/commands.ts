import { type Auth, createAuth, isGoogleRegistry, normalizeRegistryHost, readDockerConfig } from '@ar/auth';
import type { ArResolvedConfig } from '@ar/config';
import { type HelperAnswer, HelperFailure, NOT_FOUND } from './protocol.js';
import { readSnapshot, type SnapshotKey, snapshotKey, writeSnapshot } from './snapshot.js';

export interface HelperContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** What the log line will say about this call; filled in as the command learns it. */
  report: { host?: string; path?: 'warm' | 'cold'; source?: string; account?: string; expiresAt?: number };
  /** Secrets seen in this call, so the log can redact them from any text. */
  secrets: string[];
  /** `helper.log` of the config in use, once known. */
  logFile?: string | undefined;
}

async function resolve(context: HelperContext): Promise<ArResolvedConfig> {
  const { resolveConfig } = await import('@ar/config');
  const { config } = resolveConfig({ env: context.env, cwd: context.cwd });
  context.logFile = config.helper.log;
  return config;
}

/**
 * `get`: the hot path. Warm: the snapshot gives the config, the token cache a fresh token; no schema,
 * no google-auth-library, no network. Cold: resolve, fetch (one fetch across parallel calls), and
 * save the snapshot for the next call.
 */
export async function get(serverUrl: string, context: HelperContext): Promise<HelperAnswer> {
  if (!serverUrl) throw new HelperFailure('no server URL on stdin; Docker writes the registry host there');
  const host = normalizeRegistryHost(serverUrl);
  context.report.host = host;
  const key = snapshotKey(context.env, context.cwd);
  const remembered = await readSnapshot(key);
  if (remembered) {
    context.logFile = remembered.helper.log;
    if (!isGoogleRegistry(host, remembered)) throw new HelperFailure(NOT_FOUND);
    if (remembered.auth.keyMode === 'exchange') {
      const token = await createAuth(remembered).cachedAccessToken();
      if (token) {
        context.report.path = 'warm';
        return answer(serverUrl, remembered, token, context);
      }
    }
  }
  context.report.path = 'cold';
  const config = await resolve(context);
  const auth = createAuth(config);
  if (!auth.isGoogleRegistry(host)) throw new HelperFailure(NOT_FOUND);
  const credential = await auth.registryCredential(host);
  if (!credential) throw new HelperFailure(NOT_FOUND);
  context.secrets.push(credential.password);
  if (config.auth.keyMode === 'exchange') await rememberToken(auth, config, key, context);
  return { ServerURL: serverUrl, Username: credential.username, Secret: credential.password };
}

function answer(
  serverUrl: string,
  config: ArResolvedConfig,
  token: Awaited<ReturnType<Auth['accessToken']>>,
  context: HelperContext,
): HelperAnswer {
  context.secrets.push(token.token);
  Object.assign(context.report, { source: token.source, account: token.account, expiresAt: token.expiresAt });
  return { ServerURL: serverUrl, Username: config.auth.registryUsername, Secret: token.token };
}

async function rememberToken(auth: Auth, config: ArResolvedConfig, key: SnapshotKey, context: HelperContext) {
  const token = await auth.cachedAccessToken();
  if (token)
    Object.assign(context.report, {
      source: token.source,
      account: token.account,
      expiresAt: token.expiresAt,
    });
  await writeSnapshot(key, config).catch(() => {});
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
