import type { AllowedCredential, CredentialSpec, CredentialSummary } from './credentials.js';
import type { TokenRequestRecord, TokenServerControl, TokenServerSettings } from './token-server.js';

async function call(baseUrl: string, method: string, path: string, body?: unknown): Promise<Response> {
  const url = `${baseUrl.replace(/\/+$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new Error(`Token server admin API unreachable at ${url}: is the e2e environment up?`, {
      cause: error,
    });
  }
  if (!response.ok && response.status !== 404) {
    const text = await response.text();
    throw new Error(`Token server admin ${method} ${path} answered ${response.status}: ${text}`);
  }
  return response;
}

async function json<T>(response: Response, what: string): Promise<T> {
  if (response.status === 404)
    throw new Error(`Token server admin: ${what} not found (${await response.text()})`);
  return (await response.json()) as T;
}

/**
 * The admin API of a running token server (`AR_E2E_TOKEN_ADMIN`), with the same methods as the
 * in-process server: `allow`, `revoke`, `configure`, `requests`...
 */
export function tokenAdminClient(adminUrl: string): TokenServerControl {
  return {
    async allow(spec: CredentialSpec) {
      return json<AllowedCredential>(await call(adminUrl, 'POST', '/credentials', spec), 'POST /credentials');
    },
    async revoke(id: string) {
      const response = await call(adminUrl, 'DELETE', `/credentials/${encodeURIComponent(id)}`);
      await response.body?.cancel();
      return response.status !== 404;
    },
    async credentials() {
      return json<CredentialSummary[]>(await call(adminUrl, 'GET', '/credentials'), 'GET /credentials');
    },
    async settings() {
      return json<TokenServerSettings>(await call(adminUrl, 'GET', '/settings'), 'GET /settings');
    },
    async configure(changes: Partial<TokenServerSettings>) {
      return json<TokenServerSettings>(await call(adminUrl, 'PUT', '/settings', changes), 'PUT /settings');
    },
    async requests() {
      return json<TokenRequestRecord[]>(await call(adminUrl, 'GET', '/requests'), 'GET /requests');
    },
    async clearRequests() {
      const response = await call(adminUrl, 'DELETE', '/requests');
      await response.body?.cancel();
    },
  };
}
