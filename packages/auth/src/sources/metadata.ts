import { ArAuthError, sourceAbsent } from '../errors.js';
import type { FetchedToken, TokenSource } from '../source.js';

const DETECT_TIMEOUT_MS = 1_000;
const DEFAULT_METADATA_HOST = 'metadata.google.internal';

/**
 * The GCE / GKE / Cloud Run metadata server (`endpoints.metadataHost`, GCE_METADATA_HOST): the
 * token of the instance's service account, as crictl on GKE nodes uses it.
 */
export const metadataSource: TokenSource = {
  name: 'metadata',
  async detect({ config, signal }) {
    const host = config.endpoints.metadataHost;
    // Our own one-shot probe: gcp-metadata's detection retries for seconds off Google Cloud, and
    // the answer also names the account.
    const account = await probeEmail(host, signal);
    return {
      source: 'metadata',
      account,
      identity: `metadata:${host}:${account}`,
      origin: `metadata server ${host}`,
      cacheable: true,
      fetchToken: async (scopes) => fetchFromMetadata(host, scopes),
    };
  },
};

async function probeEmail(host: string, signal: AbortSignal | undefined): Promise<string> {
  const timeout = AbortSignal.timeout(DETECT_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(`http://${host}/computeMetadata/v1/instance/service-accounts/default/email`, {
      headers: { 'Metadata-Flavor': 'Google' },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch {
    throw sourceAbsent(`no metadata server answers at ${host}`);
  }
  if (response.headers.get('metadata-flavor') !== 'Google') {
    throw sourceAbsent(`${host} answered, but not as a Google metadata server`);
  }
  if (response.status === 404)
    throw sourceAbsent(`the metadata server at ${host} has no service account attached`);
  if (!response.ok) {
    throw new ArAuthError(
      'AR_AUTH_TOKEN_REFUSED',
      `The metadata server at ${host} answered HTTP ${response.status} for the service account email.`,
      {
        retryable: response.status >= 500,
      },
    );
  }
  return (await response.text()).trim();
}

/** The token itself comes from google-auth-library's metadata client (gcp-metadata). */
async function fetchFromMetadata(host: string, scopes: readonly string[]): Promise<FetchedToken> {
  // gcp-metadata takes its host from the environment only; this is the one seam it offers.
  if (host !== DEFAULT_METADATA_HOST) process.env.GCE_METADATA_HOST = host;
  const { computeClient, tokenFromClient } = await import('./google-client.js');
  return tokenFromClient(await computeClient(scopes), `the metadata server at ${host}`);
}
