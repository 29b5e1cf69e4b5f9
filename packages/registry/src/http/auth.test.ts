import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/support/http-server.js';
import { RegistryClient } from '../client.js';
import { sha256 } from '../digest.js';
import type { RequestLogEvent } from './log.js';

const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: `sha256:${'a'.repeat(64)}`,
      size: 2,
    },
    layers: [],
  }),
);

interface Registry {
  server: TestServer;
  /** Token requests: method, query, form, authorization. */
  tokenRequests: { method: string; query: URLSearchParams; form: URLSearchParams; authorization?: string }[];
  /** Tokens the registry accepts; a test may revoke one. */
  accepted: Set<string>;
}

let servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

/** A registry with its own token endpoint, behaving as the distribution token-auth spec says. */
async function tokenRegistry(
  options: { expiresIn?: number; scheme?: 'bearer' | 'basic' } = {},
): Promise<Registry> {
  const tokenRequests: Registry['tokenRequests'] = [];
  const accepted = new Set<string>();
  let minted = 0;
  const server: TestServer = await startTestServer((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/token') {
      tokenRequests.push({
        method: req.method ?? '',
        query: url.searchParams,
        form: new URLSearchParams(body.toString()),
        authorization: req.headers.authorization,
      });
      const token = `tok-${++minted}`;
      accepted.add(`Bearer ${token}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token, ...(options.expiresIn ? { expires_in: options.expiresIn } : {}) }));
      return;
    }
    const authorization = req.headers.authorization ?? '';
    const ok =
      options.scheme === 'basic'
        ? authorization === `Basic ${Buffer.from('u:p').toString('base64')}`
        : accepted.has(authorization);
    if (!ok) {
      const challenge =
        options.scheme === 'basic'
          ? 'Basic realm="test"'
          : `Bearer realm="${server.url}/token",service="test-registry",scope="repository:app:pull"`;
      res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/vnd.oci.image.manifest.v1+json',
      'docker-content-digest': sha256(MANIFEST),
    });
    res.end(MANIFEST);
  });
  servers.push(server);
  return { server, tokenRequests, accepted };
}

describe('the Bearer challenge flow', () => {
  it('mints an anonymous token when there is no credential, and caches it per scope', async () => {
    const r = await tokenRegistry({ expiresIn: 300 });
    const client = new RegistryClient();
    const manifest = await client.getManifest(`${r.server.host}/app:1`);
    expect(manifest.digest).toBe(sha256(MANIFEST));
    await client.getManifest(`${r.server.host}/app:2`);
    expect(r.tokenRequests).toHaveLength(1);
    expect(r.tokenRequests[0]?.authorization).toBeUndefined();
    expect(r.tokenRequests[0]?.query.get('service')).toBe('test-registry');
    expect(r.tokenRequests[0]?.query.getAll('scope')).toEqual(['repository:app:pull']);
    await client.close();
  });

  it('sends the credential as Basic to the token endpoint and never logs it', async () => {
    const r = await tokenRegistry({ expiresIn: 300 });
    const events: RequestLogEvent[] = [];
    const client = new RegistryClient({
      credentials: async (host) =>
        host === r.server.host ? { username: 'oauth2accesstoken', password: 'ya29.secret' } : undefined,
      log: (e) => events.push(e),
    });
    await client.getManifest(`${r.server.host}/app:1`);
    expect(r.tokenRequests[0]?.authorization).toBe(
      `Basic ${Buffer.from('oauth2accesstoken:ya29.secret').toString('base64')}`,
    );
    const logged = JSON.stringify(events);
    expect(logged).not.toContain('ya29.secret');
    expect(logged).not.toContain('tok-1');
    expect(events.some((e) => e.type === 'token')).toBe(true);
    await client.close();
  });

  it('uses a Docker identity token (<token>) as an OAuth refresh_token grant', async () => {
    const r = await tokenRegistry({ expiresIn: 300 });
    const client = new RegistryClient({
      credentials: async () => ({ username: '<token>', password: 'refresh-me' }),
    });
    await client.getManifest(`${r.server.host}/app:1`);
    const request = r.tokenRequests[0];
    expect(request?.method).toBe('POST');
    expect(request?.form.get('grant_type')).toBe('refresh_token');
    expect(request?.form.get('refresh_token')).toBe('refresh-me');
    expect(request?.form.get('scope')).toBe('repository:app:pull');
    expect(request?.authorization).toBeUndefined();
    await client.close();
  });

  it('answers a Basic challenge with the credential directly', async () => {
    const r = await tokenRegistry({ scheme: 'basic' });
    const client = new RegistryClient({ credentials: async () => ({ username: 'u', password: 'p' }) });
    await client.getManifest(`${r.server.host}/app:1`);
    expect(r.tokenRequests).toHaveLength(0);
    await client.close();
  });

  it('mints once more, asking the provider to refresh, when the registry refuses a cached token', async () => {
    const r = await tokenRegistry({ expiresIn: 300 });
    const asks: boolean[] = [];
    const client = new RegistryClient({
      credentials: async (_host, options) => {
        asks.push(options.forceRefresh === true);
        return { username: 'oauth2accesstoken', password: 'x' };
      },
    });
    await client.getManifest(`${r.server.host}/app:1`);
    r.accepted.clear();
    await client.getManifest(`${r.server.host}/app:1`);
    expect(asks).toEqual([false, true]);
    expect(r.tokenRequests).toHaveLength(2);
    await client.close();
  });

  it('does not use a token about to expire', async () => {
    const r = await tokenRegistry({ expiresIn: 5 });
    const client = new RegistryClient();
    await client.getManifest(`${r.server.host}/app:1`);
    await client.getManifest(`${r.server.host}/app:1`);
    // 5 s of life is under the 10 s floor: each request gets a fresh token, none is refused.
    expect(r.tokenRequests).toHaveLength(2);
    expect(r.server.requests.filter((q) => q.url.startsWith('/v2/') && !q.authorization)).toHaveLength(1);
    await client.close();
  });

  it('says what to do when the token endpoint refuses the credential', async () => {
    const server = await startTestServer((req, res) => {
      if (req.url?.startsWith('/token'))
        return void res.writeHead(401).end('{"errors":[{"message":"bad token"}]}');
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token"` }).end();
    });
    servers.push(server);
    const client = new RegistryClient({
      credentials: async () => ({ username: 'oauth2accesstoken', password: 's3cret' }),
    });
    const error = await client.getManifest(`${server.host}/app:1`).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AR_REGISTRY_UNAUTHORIZED' });
    expect((error as Error).message).toContain('bad token');
    expect((error as Error).message).not.toContain('s3cret');
    await client.close();
  });
});
