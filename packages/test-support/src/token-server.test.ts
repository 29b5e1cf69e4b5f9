import { X509Certificate } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tokenAdminClient } from './admin-client.js';
import { generateServiceAccountKey, type ServiceAccountKey } from './credentials.js';
import { createSigningCertificate, type SigningMaterial } from './signing.js';
import { startTokenServer, type TokenServer, type TokenServerOptions } from './token-server.js';

const basic = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

interface TokenBody {
  token: string;
  access_token: string;
  expires_in: number;
  issued_at: string;
  scope?: string;
}

let signing: SigningMaterial;
let key: ServiceAccountKey;
const servers: TokenServer[] = [];
const logs: string[] = [];

beforeAll(async () => {
  [signing, key] = await Promise.all([
    createSigningCertificate(),
    generateServiceAccountKey({ accountName: 'ci' }),
  ]);
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});
afterAll(() => {
  // No secret ever reaches the log: not a token, not a key, not an issued JWT.
  const all = logs.join('\n');
  expect(all).not.toMatch(/ya29\.|PRIVATE KEY|eyJ/);
  expect(all).not.toContain(key.private_key_id);
});

async function start(options: TokenServerOptions = {}): Promise<TokenServer> {
  const server = await startTokenServer({ signing, log: (line) => logs.push(line), ...options });
  servers.push(server);
  return server;
}

async function getToken(
  server: TokenServer,
  query: { scope?: string[]; service?: string; account?: string },
  authorization?: string,
) {
  const params = new URLSearchParams();
  params.set('service', query.service ?? server.service);
  for (const scope of query.scope ?? []) params.append('scope', scope);
  if (query.account !== undefined) params.set('account', query.account);
  const response = await fetch(`${server.realm}?${params}`, {
    headers: authorization === undefined ? {} : { Authorization: authorization },
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
}

async function verify(server: TokenServer, token: string) {
  const certificate = new X509Certificate(server.certificatePem);
  return jwtVerify(token, certificate.publicKey, {
    issuer: server.issuer,
    audience: server.service,
    algorithms: ['RS256'],
  });
}

describe('GET /token', () => {
  it('issues an RS256 JWT with the certificate in x5c, verifiable with its public key', async () => {
    const server = await start({ tokenTtlSeconds: 120 });
    const allowed = await server.allow({
      kind: 'access_token',
      token: 'ya29.unit',
      subject: 'unit@example.test',
    });
    const before = Math.floor(Date.now() / 1000);
    const { status, headers, body } = await getToken(
      server,
      { scope: ['repository:e2e/hello:pull,push'], account: 'oauth2accesstoken' },
      basic('oauth2accesstoken', 'ya29.unit'),
    );
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    const tokenBody = body as TokenBody;
    expect(tokenBody.access_token).toBe(tokenBody.token);
    expect(tokenBody.expires_in).toBe(120);
    expect(Date.parse(tokenBody.issued_at) / 1000).toBeGreaterThanOrEqual(before);

    const header = decodeProtectedHeader(tokenBody.token);
    expect(header.alg).toBe('RS256');
    expect(header.typ).toBe('JWT');
    expect(header.kid).toMatch(/^[A-Z2-7]{4}(:[A-Z2-7]{4}){11}$/);
    expect(header.x5c).toHaveLength(1);
    expect(
      Buffer.from(header.x5c![0]!, 'base64').equals(new X509Certificate(server.certificatePem).raw),
    ).toBe(true);

    const { payload } = await verify(server, tokenBody.token);
    expect(payload).toMatchObject({
      iss: 'ar-e2e-token-server',
      sub: 'unit@example.test',
      aud: 'ar-e2e-registry',
      access: [{ type: 'repository', name: 'e2e/hello', actions: ['pull', 'push'] }],
    });
    expect(typeof payload.aud).toBe('string'); // distribution 2.8 wants a string, not a list
    expect(payload.exp! - payload.iat!).toBe(120);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);

    const [request] = await server.requests();
    expect(request).toMatchObject({
      status: 200,
      login: 'access_token',
      credentialId: allowed.id,
      account: 'oauth2accesstoken',
      subject: 'unit@example.test',
      jti: payload.jti,
      expiresIn: 120,
    });
  });

  it('accepts a service-account key as _json_key and _json_key_base64', async () => {
    const server = await start();
    const allowed = await server.allow({ kind: 'service_account_key', key });
    for (const authorization of [
      basic('_json_key', JSON.stringify(key)),
      basic('_json_key_base64', allowed.jsonKeyBase64!),
    ]) {
      const { status, body } = await getToken(server, { scope: ['repository:p/r:pull'] }, authorization);
      expect(status).toBe(200);
      const { payload } = await verify(server, (body as TokenBody).token);
      expect(payload.sub).toBe(key.client_email);
    }
    expect((await server.requests()).map((request) => request.login)).toEqual([
      'json_key',
      'json_key_base64',
    ]);
  });

  it('grants a reader-only credential pull on its repositories only', async () => {
    const server = await start();
    await server.allow({
      kind: 'access_token',
      token: 'ya29.reader',
      access: { repositories: ['team/'], actions: ['pull'] },
    });
    const { status, body } = await getToken(
      server,
      { scope: ['repository:team/app:pull,push', 'repository:other/app:pull', 'registry:catalog:*'] },
      basic('oauth2accesstoken', 'ya29.reader'),
    );
    expect(status).toBe(200);
    const { payload } = await verify(server, (body as TokenBody).token);
    expect(payload.access).toEqual([{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
  });

  it('answers a request without scope (docker login) with an empty access list', async () => {
    const server = await start();
    await server.allow({ kind: 'access_token', token: 'ya29.login' });
    const { status, body } = await getToken(server, {}, basic('oauth2accesstoken', 'ya29.login'));
    expect(status).toBe(200);
    expect((await verify(server, (body as TokenBody).token)).payload.access).toEqual([]);
  });

  it('uses the configured and per-credential token lifetimes', async () => {
    const server = await start({ tokenTtlSeconds: 30 });
    await server.allow({ kind: 'access_token', token: 'ya29.default' });
    await server.allow({ kind: 'access_token', token: 'ya29.short', tokenTtlSeconds: 2 });
    const ttl = async (token: string) =>
      ((await getToken(server, {}, basic('oauth2accesstoken', token))).body as TokenBody).expires_in;
    expect(await ttl('ya29.default')).toBe(30);
    expect(await ttl('ya29.short')).toBe(2);
    await server.configure({ tokenTtlSeconds: 5 });
    expect(await ttl('ya29.default')).toBe(5);
    expect(await ttl('ya29.short')).toBe(2);
  });

  describe('refuses with 401 and a JSON error', () => {
    const cases: Array<[string, string | undefined, RegExp]> = [
      ['an anonymous request', undefined, /anonymous access is not allowed/],
      ['an unknown access token', basic('oauth2accesstoken', 'ya29.unknown'), /unknown access token/],
      ['an unknown key', 'KEY', /unknown service-account key/],
      ['key JSON that is no key', basic('_json_key', '{"nope":1}'), /not a service-account key/],
      ['an unsupported username', basic('admin', 'hunter2'), /unsupported username "admin"/],
      ['a non-Basic Authorization', 'Bearer abc', /not valid Basic/],
    ];
    it.each(cases)('for %s', async (_what, authorization, message) => {
      const server = await start();
      await server.allow({ kind: 'access_token', token: 'ya29.known' });
      const header =
        authorization === 'KEY'
          ? basic('_json_key', JSON.stringify(await generateServiceAccountKey()))
          : authorization;
      const { status, headers, body } = await getToken(server, { scope: ['repository:e2e/x:pull'] }, header);
      expect(status).toBe(401);
      expect(headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      expect(body).toEqual({ errors: [{ code: 'UNAUTHORIZED', message: expect.stringMatching(message) }] });
      const [request] = await server.requests();
      expect(request).toMatchObject({ status: 401, granted: [], reason: expect.stringMatching(message) });
    });

    it('for a revoked or expired credential', async () => {
      let now = Date.now();
      const server = await start({ now: () => now });
      const revoked = await server.allow({ kind: 'access_token', token: 'ya29.revoked' });
      await server.allow({ kind: 'access_token', token: 'ya29.brief', validForSeconds: 60 });
      expect((await getToken(server, {}, basic('oauth2accesstoken', 'ya29.revoked'))).status).toBe(200);
      expect(await server.revoke(revoked.id)).toBe(true);
      expect((await getToken(server, {}, basic('oauth2accesstoken', 'ya29.revoked'))).status).toBe(401);
      expect((await getToken(server, {}, basic('oauth2accesstoken', 'ya29.brief'))).status).toBe(200);
      now += 61_000;
      const expired = await getToken(server, {}, basic('oauth2accesstoken', 'ya29.brief'));
      expect(expired.status).toBe(401);
      expect(JSON.stringify(expired.body)).toMatch(/has expired/);
    });
  });

  it('grants anonymous pull only when configured to', async () => {
    const server = await start({ anonymous: {} });
    const { status, body } = await getToken(server, { scope: ['repository:pub/x:pull,push'] });
    expect(status).toBe(200);
    const { payload } = await verify(server, (body as TokenBody).token);
    expect(payload.sub).toBe('');
    expect(payload.access).toEqual([{ type: 'repository', name: 'pub/x', actions: ['pull'] }]);
    await server.configure({ anonymous: null });
    expect((await getToken(server, { scope: ['repository:pub/x:pull'] })).status).toBe(401);
  });

  it('answers 400 for another service or a malformed scope', async () => {
    const server = await start();
    await server.allow({ kind: 'access_token', token: 'ya29.ok' });
    const auth = basic('oauth2accesstoken', 'ya29.ok');
    const wrongService = await getToken(server, { service: 'elsewhere' }, auth);
    expect(wrongService.status).toBe(400);
    expect(wrongService.body).toEqual({ errors: [{ code: 'INVALID_SERVICE', message: expect.any(String) }] });
    const badScope = await getToken(server, { scope: ['repository:nope'] }, auth);
    expect(badScope.status).toBe(400);
    expect(badScope.body).toEqual({ errors: [{ code: 'INVALID_SCOPE', message: expect.any(String) }] });
  });
});

describe('POST /token (OAuth2 password grant)', () => {
  it('issues a token with the granted scope', async () => {
    const server = await start();
    await server.allow({ kind: 'access_token', token: 'ya29.oauth', access: { actions: ['pull'] } });
    const response = await fetch(server.realm, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        service: server.service,
        client_id: 'docker',
        username: 'oauth2accesstoken',
        password: 'ya29.oauth',
        scope: 'repository:e2e/hello:pull,push',
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as TokenBody;
    expect(body.scope).toBe('repository:e2e/hello:pull');
    expect((await verify(server, body.access_token)).payload.access).toEqual([
      { type: 'repository', name: 'e2e/hello', actions: ['pull'] },
    ]);
  });

  it('refuses other grants and wrong passwords', async () => {
    const server = await start();
    const post = (form: Record<string, string>) =>
      fetch(server.realm, { method: 'POST', body: new URLSearchParams(form) });
    expect((await post({ grant_type: 'refresh_token', refresh_token: 'x' })).status).toBe(400);
    expect(
      (await post({ grant_type: 'password', username: 'oauth2accesstoken', password: 'nope' })).status,
    ).toBe(401);
  });
});

describe('admin API', () => {
  it('allows, lists, revokes, configures and reports requests over HTTP', async () => {
    const server = await start();
    const admin = tokenAdminClient(server.adminUrl!);
    const allowed = await admin.allow({ kind: 'access_token', id: 'reader', access: { actions: ['pull'] } });
    expect(allowed).toMatchObject({
      id: 'reader',
      username: 'oauth2accesstoken',
      access: { actions: ['pull'] },
    });
    const keyCredential = await admin.allow({ kind: 'service_account_key' });
    expect(keyCredential.key?.client_email).toMatch(/@ar-e2e-project\.iam\.gserviceaccount\.com$/);

    const listed = await admin.credentials();
    expect(listed.map((credential) => credential.id)).toEqual(['reader', keyCredential.id]);
    expect(JSON.stringify(listed)).not.toContain(allowed.token!);

    const ok = await getToken(
      server,
      { scope: ['repository:a/b:push'] },
      basic(allowed.username, allowed.password),
    );
    expect(ok.status).toBe(200);
    const requests = await admin.requests();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ credentialId: 'reader', granted: [] });
    expect(JSON.stringify(requests)).not.toContain(allowed.token!);
    await admin.clearRequests();
    expect(await admin.requests()).toEqual([]);

    expect(await admin.configure({ tokenTtlSeconds: 7 })).toEqual({ tokenTtlSeconds: 7, anonymous: null });
    expect(await admin.settings()).toEqual({ tokenTtlSeconds: 7, anonymous: null });
    await expect(admin.configure({ tokenTtlSeconds: -1 })).rejects.toThrow(/400.*positive/);

    expect(await admin.revoke('reader')).toBe(true);
    expect(await admin.revoke('reader')).toBe(false);
    expect((await getToken(server, {}, basic(allowed.username, allowed.password))).status).toBe(401);

    await expect(admin.allow({ kind: 'access_token', id: keyCredential.id })).rejects.toThrow(
      /400.*already allowed/,
    );
    const certificate = await fetch(`${server.adminUrl}/certificate`);
    expect(await certificate.text()).toBe(server.certificatePem);
    expect((await fetch(`${server.adminUrl}/nowhere`)).status).toBe(404);
  });

  it('is not served on the token port, and can be turned off', async () => {
    const server = await start({ adminPort: false });
    expect(server.adminUrl).toBeUndefined();
    const response = await fetch(`${server.url}/credentials`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });

  it('knows the credentials given at start', async () => {
    const server = await start({
      credentials: [{ kind: 'access_token', token: 'ya29.preset', id: 'preset' }],
    });
    expect((await getToken(server, {}, basic('oauth2accesstoken', 'ya29.preset'))).status).toBe(200);
  });
});
