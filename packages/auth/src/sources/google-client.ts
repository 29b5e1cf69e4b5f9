// The only module that loads google-auth-library, and only when a token must be fetched: the
// credential helper's warm path never gets here.
import type { ArResolvedConfig } from '@ar/config';
import type { AuthClient } from 'google-auth-library';
import { ArAuthError } from '../errors.js';
import type { FetchedToken } from '../source.js';

/** The token URL google-auth-library posts service-account JWT grants to, whatever the key file says. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

// A CommonJS package: its `default` is module.exports both under Node and inside our bundles
// (where named exports of a CommonJS chunk are not re-exported).
const loadLibrary = async () => (await import('google-auth-library')).default;

/**
 * Sends the client's token requests to `endpoints.oauth2TokenUrl` (the emulator, a proxy): the
 * JWT grant has no URL option, but every request goes through the client's gaxios transporter.
 */
function redirectTokenEndpoint(client: AuthClient, config: ArResolvedConfig): void {
  const target = config.endpoints.oauth2TokenUrl;
  if (target === GOOGLE_TOKEN_URL) return;
  client.transporter.interceptors.request.add({
    resolved: async (options) => {
      if (String(options.url) === GOOGLE_TOKEN_URL) options.url = new URL(target);
      return options;
    },
  });
}

/** A google-auth-library client for a credentials file's JSON (any type ADC understands). */
export async function clientFromJson(
  json: Record<string, unknown>,
  scopes: readonly string[],
  config: ArResolvedConfig,
): Promise<AuthClient> {
  const { GoogleAuth } = await loadLibrary();
  const auth = new GoogleAuth({
    credentials: json,
    scopes: [...scopes],
    clientOptions: { endpoints: { oauth2TokenUrl: config.endpoints.oauth2TokenUrl } },
  });
  const client = (await auth.getClient()) as AuthClient;
  redirectTokenEndpoint(client, config);
  return client;
}

/** google-auth-library's metadata-server client (gcp-metadata underneath). */
export async function computeClient(scopes: readonly string[]): Promise<AuthClient> {
  const { Compute } = await loadLibrary();
  return new Compute({ scopes: [...scopes] });
}

/** A client that only holds an access token: the source for impersonation from a static or gcloud token. */
export async function clientFromToken(token: FetchedToken): Promise<AuthClient> {
  const { OAuth2Client } = await loadLibrary();
  const client = new OAuth2Client();
  client.setCredentials({
    access_token: token.token,
    ...(token.expiresAt ? { expiry_date: token.expiresAt } : {}),
  });
  return client;
}

/** Asks the client for a token; the library's refusal becomes our error, without its request body. */
export async function tokenFromClient(client: AuthClient, what: string): Promise<FetchedToken> {
  try {
    const { token } = await client.getAccessToken();
    if (!token) throw new Error('empty token');
    const expiry = client.credentials.expiry_date;
    return { token, ...(typeof expiry === 'number' ? { expiresAt: expiry } : {}) };
  } catch (error) {
    throw new ArAuthError(
      'AR_AUTH_TOKEN_REFUSED',
      `Could not get an access token from ${what}: ${describeFailure(error)}`,
      {
        cause: error,
        retryable: isTransient(error),
      },
    );
  }
}

/** Impersonates `target` (through `delegates`) with IAM Credentials generateAccessToken. */
export async function impersonate(
  source: AuthClient,
  target: string,
  delegates: readonly string[],
  scopes: readonly string[],
  config: ArResolvedConfig,
): Promise<FetchedToken> {
  const { Impersonated } = await loadLibrary();
  const client = new Impersonated({
    sourceClient: source,
    targetPrincipal: target,
    delegates: [...delegates],
    targetScopes: [...scopes],
    lifetime: 3600,
    endpoint: config.endpoints.iamCredentialsUrl,
  });
  try {
    return await tokenFromClient(client, `IAM Credentials for ${target}`);
  } catch (error) {
    throw new ArAuthError(
      'AR_AUTH_IMPERSONATION_FAILED',
      `Could not impersonate ${target}${delegates.length ? ` through ${delegates.join(' -> ')}` : ''}: ${describeFailure((error as Error).cause ?? error)}. ` +
        'The calling identity needs roles/iam.serviceAccountTokenCreator on the target (and on each delegate).',
      { cause: error },
    );
  }
}

/** The server's own words (OAuth `error_description`, Google's `error.message`), never the request. */
function describeFailure(error: unknown): string {
  const data = (error as { response?: { data?: unknown } }).response?.data as
    | { error?: string | { message?: string }; error_description?: string }
    | undefined;
  if (data?.error_description) return `${data.error}: ${data.error_description}`;
  if (typeof data?.error === 'object' && data.error.message) return data.error.message;
  if (typeof data?.error === 'string') return data.error;
  const status = (error as { response?: { status?: number } }).response?.status;
  const message = error instanceof Error ? error.message : String(error);
  return status ? `HTTP ${status}` : message.split('\n', 1)[0]!;
}

function isTransient(error: unknown): boolean {
  const status = (error as { response?: { status?: number } }).response?.status;
  if (status === undefined) return true; // no answer at all: network trouble
  return status === 408 || status === 429 || status >= 500;
}
