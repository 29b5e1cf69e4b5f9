// The service over real HTTP on loopback, against the emulator standing in for
// us-west1-docker.pkg.dev and europe-west1-docker.pkg.dev, and a local stand-in for Google's
// ID-token certificates.
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type ArResolvedConfig, resolveConfig } from '@ar/config';
import { type ArClient, createClient } from '@ar/core';
import { promotionRepositories, startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { parseArImage } from '@ar/image-ref';
import { startFaultProxy, writeOciLayoutImage } from '@ar/test-support';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IdTokenIssuer, sha256Hex, startIdTokenIssuer, startTrap } from '../test/helpers.js';
import { type ApiOptions, type ApiService, createApi } from './app.js';
import type { Job } from './jobs/index.js';

const PROJECT = 'api-tests';
const HOST = 'us-west1-docker.pkg.dev';
const EU = 'europe-west1-docker.pkg.dev';
const AUDIENCE = 'https://ar-api.example.test';
const KEYS = {
  deployer: 'key-deployer-0123456789',
  admin: 'key-admin-0123456789',
  nobody: 'key-nobody-0123',
};
const img = (repo: string, rest: string) => `${HOST}/${PROJECT}/${repo}/${rest}`;

let fixture: TestEmulator;
let issuer: IdTokenIssuer;
let config: ArResolvedConfig;
let setup: ArClient;

let base: string;
let work: string;
const logLines: string[] = [];
const started: ApiService[] = [];

/** The service's config; `usEndpoint` puts something (the fault proxy) in front of us-west1. */
function makeConfig(api: Record<string, unknown> = {}, usEndpoint?: string): ArResolvedConfig {
  const client = fixture.clientConfig('api-svc');
  const registries = usEndpoint
    ? { ...client.registries, [HOST]: { ...client.registries[HOST], endpoint: usEndpoint } }
    : client.registries;
  return resolveConfig({
    ...fixture.isolatedUser,
    overrides: {
      ...client,
      registries,
      api: {
        audience: AUDIENCE,
        idTokenCertsUrl: issuer.certsUrl,
        allowedHosts: [HOST, EU],
        callers: [
          {
            name: 'deployer',
            apiKeySha256: sha256Hex(KEYS.deployer),
            grants: [
              { prefix: `${HOST}/${PROJECT}/dev`, role: 'read' },
              { prefix: `${HOST}/${PROJECT}/prod`, role: 'write' },
            ],
          },
          {
            name: 'admin',
            apiKeySha256: sha256Hex(KEYS.admin),
            grants: [
              { prefix: `${HOST}/${PROJECT}`, role: 'admin' },
              { prefix: `${EU}/${PROJECT}`, role: 'admin' },
            ],
          },
          {
            name: 'dashboard',
            email: 'dashboard@example.com',
            grants: [{ prefix: `${HOST}/${PROJECT}`, role: 'read' }],
          },
          { name: 'nobody', apiKeySha256: sha256Hex(KEYS.nobody), grants: [] },
        ],
        ...api,
      },
    },
  }).config;
}

async function startApi(
  options: Partial<ApiOptions> = {},
  cfg = config,
): Promise<{ api: ApiService; base: string }> {
  const service = await createApi({
    config: cfg,
    logger: false,
    ...options,
  });
  started.push(service);
  return { api: service, base: await service.listen({ host: '127.0.0.1', port: 0 }) };
}

async function call(
  method: string,
  path: string,
  options: {
    key?: string;
    token?: string;
    body?: unknown;
    rawBody?: string;
    contentType?: string;
    at?: string;
  } = {},
) {
  const headers: Record<string, string> = {};
  const credential =
    options.token ??
    (options.key === undefined ? undefined : (KEYS[options.key as keyof typeof KEYS] ?? options.key));
  if (credential !== undefined) headers.authorization = `Bearer ${credential}`;
  if (options.body !== undefined || options.rawBody !== undefined)
    headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${options.at ?? base}${path}`, {
    method,
    headers,
    ...(options.rawBody !== undefined ? { body: options.rawBody } : {}),
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: each test asserts the fields it reads.
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, text, json };
}

async function push(name: string, ref: string, options: Parameters<typeof writeOciLayoutImage>[1] = {}) {
  const dir = join(work, name);
  const built = await writeOciLayoutImage(dir, { layerSizes: [2048, 1024], ...options });
  await setup.push(`oci:${dir}`, ref);
  return built;
}

/** Resolves with the job once it has ended (the store's own event: no polling, no sleeping). */
function settled(service: ApiService, id: string, owner = 'admin'): Promise<Job> {
  return new Promise((resolve, reject) => {
    const on = (job: Job) => {
      if (job.id !== id) return;
      service.jobs.off('settled', on);
      resolve(job);
    };
    // Listening first: the job may end while the store is asked.
    service.jobs.on('settled', on);
    service.jobs.get(id, owner).then((now) => {
      if (now.state === 'running') return;
      service.jobs.off('settled', on);
      resolve(now);
    }, reject);
  });
}

beforeAll(async () => {
  [fixture, issuer] = await Promise.all([
    startTestEmulator({
      project: PROJECT,
      moreLocations: ['europe-west1'],
      accounts: { 'api-svc': 'roles/artifactregistry.admin' },
      repositories: [...promotionRepositories(), { id: 'eu', location: 'europe-west1' }],
    }),
    startIdTokenIssuer(),
  ]);
  work = fixture.work;
  config = makeConfig();
  setup = createClient(config);
  const logs = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  ({ base } = await startApi({ logger: undefined, logDestination: logs }));
  await push('app', img('dev', 'app:1.0'));
  await push('multi', img('dev', 'multi:1'), {
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ],
  });
  await push('shared', img('mirror-b', 'shared:1'));
});

afterAll(async () => {
  for (const service of started) await service.close();
  await setup?.close();
  await issuer?.close();
  await fixture?.stop();
});

describe('health, readiness, metrics, OpenAPI', () => {
  it('answers /healthz without credentials', async () => {
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, json: { status: 'ok' } });
  });

  it('is ready when the token source answers and every allowed host is reachable; 503 naming the one that is not', async () => {
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([
      ['token', true],
      [`registry ${HOST}`, true],
      [`registry ${EU}`, true],
    ]);
    const trap = await startTrap();
    await trap.close(); // a port nobody listens on any more
    const other = await startApi({}, makeConfig({ allowedHosts: [HOST, trap.host] }));
    const notReady = await call('GET', '/readyz', { at: other.base });
    expect(notReady.status).toBe(503);
    const failed = notReady.json.checks.find((c: { ok: boolean }) => !c.ok);
    expect(failed.name).toBe(`registry ${trap.host}`);
    expect(failed.error.code).toMatch(/^AR_REGISTRY_/);
  });

  it('serves a valid OpenAPI 3.1 document that lists every route, and only real ones', async () => {
    const doc = (await call('GET', '/openapi.json')).json;
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(operations).toEqual(
      [
        'DELETE /v1/images',
        'GET /healthz',
        'GET /metrics',
        'GET /readyz',
        'GET /v1/images',
        'GET /v1/images:resolve',
        'GET /v1/jobs/{id}',
        'GET /v1/repositories',
        'GET /v1/repositories/{location}/{project}/{repository}',
        'POST /v1/repositories/{location}/{project}/{repository}:prune',
        'POST /v1/images:copy',
        'POST /v1/images:tag',
      ].sort(),
    );
    // The documented request schema is the validating one: a documented required field is required.
    const copy = doc.paths['/v1/images:copy'].post.requestBody.content['application/json'].schema;
    expect(copy.required).toEqual(['source', 'destination']);
    expect(copy.additionalProperties).toBe(false);
  });

  it('counts requests by route and status, registry calls and jobs, in Prometheus text', async () => {
    await call('GET', `/v1/images:resolve?ref=${img('dev', 'app:1.0')}`, { key: 'admin' });
    await call('GET', '/v1/images:resolve?ref=nope', { key: 'admin' });
    const metrics = await call('GET', '/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(metrics.text).toMatch(
      /ar_api_requests_total\{route="\/v1\/images::resolve",method="GET",status="200"\} [1-9]/,
    );
    expect(metrics.text).toMatch(
      /ar_api_requests_total\{route="\/v1\/images::resolve",method="GET",status="400"\} [1-9]/,
    );
    expect(metrics.text).toMatch(
      /ar_api_request_duration_seconds_bucket\{le="0\.005",route="\/v1\/images::resolve"/,
    );
    expect(metrics.text).toMatch(
      /ar_api_registry_calls_total\{operation="images.resolve",outcome="ok"\} [1-9]/,
    );
    expect(metrics.text).toContain('ar_api_jobs{state="running"}');
  });
});

describe('authentication', () => {
  const listPath = `/v1/images?repository=${HOST}/${PROJECT}/dev`;

  it('refuses a call with no credential, a wrong API key, or a malformed header (401), echoing none of it', async () => {
    for (const options of [{}, { key: 'not-a-configured-key-s3cr3t' }, { token: 'Basic' }]) {
      const response = await call('GET', listPath, options);
      expect(response.status).toBe(401);
      expect(response.json.error.code).toBe('AR_API_UNAUTHENTICATED');
      expect(response.text).not.toContain('s3cr3t');
    }
    expect(logLines.join('')).not.toContain('not-a-configured-key-s3cr3t');
  });

  it('accepts a Google-signed ID token for a configured email and the configured audience', async () => {
    const token = issuer.sign({ aud: AUDIENCE, email: 'dashboard@example.com', email_verified: true });
    const response = await call('GET', listPath, { token });
    expect(response.status).toBe(200);
    expect(logLines.join('')).not.toContain(token);
  });

  it.each([
    [
      'another audience',
      { aud: 'https://elsewhere.test', email: 'dashboard@example.com', email_verified: true },
    ],
    [
      'an expired token',
      { aud: AUDIENCE, email: 'dashboard@example.com', email_verified: true, exp: 1_000_000, iat: 999_000 },
    ],
    ['an unverified email', { aud: AUDIENCE, email: 'dashboard@example.com', email_verified: false }],
    ['an unknown email', { aud: AUDIENCE, email: 'stranger@example.com', email_verified: true }],
    [
      'another issuer',
      { aud: AUDIENCE, email: 'dashboard@example.com', email_verified: true, iss: 'https://evil.test' },
    ],
  ])('refuses an ID token with %s (401)', async (_what, claims) => {
    const response = await call('GET', listPath, { token: issuer.sign(claims) });
    expect(response.status).toBe(401);
    expect(response.json.error.code).toBe('AR_API_UNAUTHENTICATED');
  });

  it('refuses an ID token signed by a key Google never published', async () => {
    const token = issuer.sign(
      { aud: AUDIENCE, email: 'dashboard@example.com', email_verified: true },
      { key: issuer.foreignKey },
    );
    expect((await call('GET', listPath, { token })).status).toBe(401);
  });
});

describe('authorization', () => {
  it.each([
    // caller, method, path, body, expected status
    ['deployer', 'GET', `/v1/images:resolve?ref=${img('dev', 'app:1.0')}`, undefined, 200],
    ['deployer', 'GET', `/v1/images:resolve?ref=${img('mirror-b', 'shared:1')}`, undefined, 403],
    ['deployer', 'GET', `/v1/images?repository=${HOST}/${PROJECT}/mirror-a`, undefined, 403],
    ['deployer', 'POST', '/v1/images:tag', { source: img('dev', 'app:1.0'), tag: 'x' }, 403],
    ['deployer', 'DELETE', `/v1/images?ref=${img('prod', 'app:1.0')}`, undefined, 403],
    [
      'deployer',
      'POST',
      '/v1/images:copy',
      { source: img('prod', 'a:1'), destination: img('dev', 'a:1') },
      403,
    ],
    ['deployer', 'GET', `/v1/repositories/us-west1/${PROJECT}/mirror-a`, undefined, 403],
    ['nobody', 'GET', `/v1/images:resolve?ref=${img('dev', 'app:1.0')}`, undefined, 403],
    ['nobody', 'GET', `/v1/repositories?project=${PROJECT}&location=us-west1`, undefined, 403],
    ['admin', 'GET', `/v1/repositories/us-west1/${PROJECT}/mirror-a`, undefined, 200],
  ])('%s %s %s → %i', async (who, method, path, body, status) => {
    const response = await call(method, path, { key: who, ...(body ? { body } : {}) });
    expect(response.status, response.text).toBe(status);
    if (status === 403) {
      expect(response.json.error.code).toBe('AR_API_FORBIDDEN');
      expect(response.json.error.message).toContain(`"${who}"`);
    }
  });

  it('lists only the repositories a caller has a grant in', async () => {
    const deployer = await call('GET', `/v1/repositories?project=${PROJECT}&location=us-west1`, {
      key: 'deployer',
    });
    expect(deployer.json.repositories.map((r: { name: string }) => r.name.split('/').pop()).sort()).toEqual([
      'dev',
      'prod',
    ]);
    const admin = await call('GET', `/v1/repositories?project=${PROJECT}&location=us-west1`, {
      key: 'admin',
    });
    expect(admin.json.repositories).toHaveLength(5);
  });
});

describe('refusing hosts and locations outside the config (no server-side request forgery)', () => {
  it.each([
    ['a host not in allowedHosts', (trap: string) => `${trap}/team/app:1`, 403, 'AR_API_HOST_NOT_ALLOWED'],
    [
      'a look-alike of an allowed host',
      () => `${HOST}.evil.test/${PROJECT}/dev/app:1`,
      403,
      'AR_API_HOST_NOT_ALLOWED',
    ],
    ['credentials in the host part', (trap: string) => `user:pw@${trap}/x:1`, 403, 'AR_API_HOST_NOT_ALLOWED'],
    ['a URL', (trap: string) => `http://${trap}/x:1`, 403, 'AR_API_HOST_NOT_ALLOWED'],
    ['a local OCI layout', () => 'oci:/etc', 400, 'AR_API_LOCATION_NOT_ALLOWED'],
    ['a local tar', () => 'docker-archive:/etc/passwd', 400, 'AR_API_LOCATION_NOT_ALLOWED'],
  ])('refuses a copy whose source is %s, contacting nothing', async (_what, source, status, code) => {
    const trap = await startTrap();
    try {
      const response = await call('POST', '/v1/images:copy', {
        key: 'admin',
        body: { source: source(trap.host), destination: img('dev', 'stolen:1') },
      });
      expect(response.status, response.text).toBe(status);
      expect(response.json.error.code).toBe(code);
      const resolve = await call('GET', `/v1/images:resolve?ref=${encodeURIComponent(source(trap.host))}`, {
        key: 'admin',
      });
      expect(resolve.status).toBe(status);
      expect(trap.hits()).toBe(0);
    } finally {
      await trap.close();
    }
  });

  it('refuses a destination outside the allowed hosts', async () => {
    const trap = await startTrap();
    const response = await call('POST', '/v1/images:copy', {
      key: 'admin',
      body: { source: img('dev', 'app:1.0'), destination: `${trap.host}/exfil/app:1` },
    });
    await trap.close();
    expect(response.json.error.code).toBe('AR_API_HOST_NOT_ALLOWED');
    expect(trap.hits()).toBe(0);
  });
});

describe('validation', () => {
  it("answers a bad image reference with @ar/image-ref's code and message (400)", async () => {
    const ref = `${HOST}/${PROJECT}/dev/App:1`;
    const expected = (() => {
      try {
        parseArImage(ref);
      } catch (error) {
        return error as Error & { code: string };
      }
      throw new Error('expected a parse error');
    })();
    const response = await call('GET', `/v1/images:resolve?ref=${ref}`, { key: 'admin' });
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ code: expected.code, message: expected.message });
    expect(response.json.error.details.offset).toBeTypeOf('number');
  });

  it.each([
    ['a missing query parameter', 'GET', '/v1/images:resolve', undefined, 400, 'AR_API_INVALID_REQUEST'],
    [
      'a page size out of range',
      'GET',
      `/v1/images?repository=${HOST}/${PROJECT}/dev&pageSize=0`,
      undefined,
      400,
      'AR_API_INVALID_REQUEST',
    ],
    [
      'a page token from nowhere',
      'GET',
      `/v1/images?repository=${HOST}/${PROJECT}/dev&pageToken=abc`,
      undefined,
      400,
      'AR_API_INVALID_REQUEST',
    ],
    [
      'an unknown body field',
      'POST',
      '/v1/images:tag',
      { source: img('dev', 'app:1.0'), tag: 'x', force: true },
      400,
      'AR_API_INVALID_REQUEST',
    ],
    [
      'a bad tag',
      'POST',
      '/v1/images:tag',
      { source: img('dev', 'app:1.0'), tag: '-x' },
      400,
      'AR_API_INVALID_REQUEST',
    ],
    [
      'a bad platform',
      'POST',
      '/v1/images:copy',
      { source: img('dev', 'app:1.0'), destination: img('dev', 'b:1'), platforms: ['linux'] },
      400,
      'AR_API_INVALID_REQUEST',
    ],
    [
      'a short name (no host)',
      'GET',
      '/v1/images:resolve?ref=app:1',
      undefined,
      400,
      'AR_API_INVALID_REQUEST',
    ],
    ['a job id that is not one', 'GET', '/v1/jobs/123', undefined, 400, 'AR_API_INVALID_REQUEST'],
  ])('refuses %s with 400', async (_what, method, path, body, status, code) => {
    const response = await call(method, path, { key: 'admin', ...(body ? { body } : {}) });
    expect(response.status, response.text).toBe(status);
    expect(response.json.error.code).toBe(code);
    expect(response.json.error.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('refuses malformed JSON (400), a non-JSON body (415) and an oversized body (413)', async () => {
    expect(
      (await call('POST', '/v1/images:tag', { key: 'admin', rawBody: '{"source":' })).json.error.code,
    ).toBe('AR_API_INVALID_REQUEST');
    const text = await call('POST', '/v1/images:tag', {
      key: 'admin',
      rawBody: 'x',
      contentType: 'text/plain',
    });
    expect([text.status, text.json.error.code]).toEqual([415, 'AR_API_UNSUPPORTED_MEDIA_TYPE']);
    const big = await call('POST', '/v1/images:tag', {
      key: 'admin',
      body: { source: img('dev', 'app:1.0'), tag: 'x', pad: 'y'.repeat(64 * 1024) },
    });
    expect([big.status, big.json.error.code]).toEqual([413, 'AR_API_BODY_TOO_LARGE']);
  });

  it('answers unknown routes with 404 and a stable code', async () => {
    const response = await call('GET', '/v2/nothing', { key: 'admin' });
    expect([response.status, response.json.error.code]).toEqual([404, 'AR_API_ROUTE_NOT_FOUND']);
  });

  it('limits each caller to its request budget (429 with Retry-After), without touching other callers', async () => {
    const limited = await startApi({ rateLimit: { max: 2, windowMs: 60_000 } });
    const path = `/v1/images?repository=${HOST}/${PROJECT}/dev`;
    expect((await call('GET', path, { key: 'admin', at: limited.base })).status).toBe(200);
    expect((await call('GET', path, { key: 'admin', at: limited.base })).status).toBe(200);
    const third = await call('GET', `/v1/repositories/us-west1/${PROJECT}/dev`, {
      key: 'admin',
      at: limited.base,
    });
    expect([third.status, third.json.error.code]).toEqual([429, 'AR_API_RATE_LIMITED']);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call('GET', path, { key: 'deployer', at: limited.base })).status).toBe(200);
  });
});

describe('endpoints', () => {
  it('describes a virtual repository with its upstreams by priority', async () => {
    const response = await call('GET', `/v1/repositories/us-west1/${PROJECT}/all`, { key: 'admin' });
    expect(response.status).toBe(200);
    expect(response.json.mode).toBe('VIRTUAL_REPOSITORY');
    expect(response.json.virtualRepositoryConfig.upstreamPolicies.map((p: { id: string }) => p.id)).toEqual([
      'a',
      'b',
    ]);
    const missing = await call('GET', `/v1/repositories/us-west1/${PROJECT}/nope`, { key: 'admin' });
    expect([missing.status, missing.json.error.code]).toEqual([404, 'AR_REST_NOT_FOUND']);
  });

  it('lists image versions with the images-list columns, tags on request, page by page', async () => {
    const withTags = await call('GET', `/v1/images?repository=${HOST}/${PROJECT}/dev&includeTags=true`, {
      key: 'deployer',
    });
    expect(withTags.status).toBe(200);
    const app = withTags.json.images.find((row: { image: string }) => row.image === img('dev', 'app'));
    expect(app).toMatchObject({ tags: ['1.0'], digest: expect.stringMatching(/^sha256:/) });
    expect(app.createTime).toBeTypeOf('string');
    expect(app.updateTime).toBeTypeOf('string');
    const noTags = await call('GET', `/v1/images?repository=${HOST}/${PROJECT}/dev`, { key: 'deployer' });
    expect(noTags.json.images[0].tags).toBeUndefined();

    const all = withTags.json.images.map((row: { digest: string }) => row.digest);
    expect(all.length).toBeGreaterThanOrEqual(2);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await call(
        'GET',
        `/v1/images?repository=${HOST}/${PROJECT}/dev&pageSize=1${token ? `&pageToken=${token}` : ''}`,
        { key: 'deployer' },
      );
      expect(page.json.images).toHaveLength(1);
      seen.push(page.json.images[0].digest);
      token = page.json.nextPageToken;
    } while (token);
    expect(seen).toEqual(all);
  });

  it('resolves an image: digest, media type, platforms, size', async () => {
    const response = await call('GET', `/v1/images:resolve?ref=${img('dev', 'multi:1')}`, {
      key: 'deployer',
    });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      mediaType: 'application/vnd.oci.image.index.v1+json',
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      mode: 'STANDARD_REPOSITORY',
      servedBy: `projects/${PROJECT}/locations/us-west1/repositories/dev`,
      upstreams: [],
    });
    expect(response.json.sizeBytes).toBeGreaterThan(2 * 3072);
  });

  it('tells which upstream of a virtual repository serves an image, and why', async () => {
    const response = await call('GET', `/v1/images:resolve?ref=${img('all', 'shared:1')}`, { key: 'admin' });
    expect(response.status, response.text).toBe(200);
    expect(response.json.servedBy).toBe(`projects/${PROJECT}/locations/us-west1/repositories/mirror-b`);
    expect(response.json.reason).toContain('higher-priority a do not hold it');
    expect(response.json.upstreams.map((u: { id: string; holds: boolean }) => [u.id, u.holds])).toEqual([
      ['a', false],
      ['b', true],
    ]);
  });

  it('tags in place, refuses to move an immutable tag (409), deletes a tag, and a tagged version only with deleteTags', async () => {
    const built = await push('doomed', img('dev', 'doomed:a'));
    const tagged = await call('POST', '/v1/images:tag', {
      key: 'admin',
      body: { source: img('dev', 'doomed:a'), tag: 'b' },
    });
    expect(tagged.json).toEqual({ reference: img('dev', 'doomed:b'), digest: built.root.digest });

    await push('prod1', img('prod', 'svc:1'));
    await push('prod2', img('prod', 'svc:2'));
    const moved = await call('POST', '/v1/images:tag', {
      key: 'deployer',
      body: { source: img('prod', 'svc:2'), tag: '1' },
    });
    expect([moved.status, moved.json.error.code]).toEqual([409, 'AR_REGISTRY_TAG_IMMUTABLE']);

    const byTag = await call('DELETE', `/v1/images?ref=${img('dev', 'doomed:b')}`, { key: 'admin' });
    expect(byTag.json).toEqual({ digest: built.root.digest, deletedTags: ['b'] });
    const refused = await call('DELETE', `/v1/images?ref=${img('dev', `doomed@${built.root.digest}`)}`, {
      key: 'admin',
    });
    expect([refused.status, refused.json.error.code]).toEqual([409, 'AR_CORE_IMAGE_TAGGED']);
    // The service's own advice: a query parameter, never the CLI's flag.
    expect(refused.json.error.message).toContain('Add `deleteTags=true` to the query');
    expect(refused.json.error.message).not.toContain('--delete-tags');
    const deleted = await call(
      'DELETE',
      `/v1/images?ref=${img('dev', `doomed@${built.root.digest}`)}&deleteTags=true`,
      { key: 'admin' },
    );
    expect(deleted.json).toEqual({ digest: built.root.digest, deletedTags: ['a'] });
    const gone = await call('GET', `/v1/images:resolve?ref=${img('dev', 'doomed:a')}`, { key: 'admin' });
    expect([gone.status, gone.json.error.code]).toEqual([404, 'AR_REGISTRY_MANIFEST_NOT_FOUND']);
  });
});

describe('copy jobs', () => {
  it('promotes between repositories and answers 200 when the copy ends within the wait', async () => {
    const response = await call('POST', '/v1/images:copy', {
      key: 'deployer',
      body: {
        source: img('dev', 'multi:1'),
        destination: img('prod', 'multi:1'),
        platforms: ['linux/amd64'],
      },
    });
    expect(response.status, response.text).toBe(200);
    expect(response.json.state).toBe('succeeded');
    expect(response.json.result.images).toHaveLength(1);
    const copied = await setup.images.describe(img('prod', 'multi:1'));
    expect(copied.platforms).toEqual(['linux/amd64']);
  });

  it('answers a copy that failed within the wait as the error it is', async () => {
    const response = await call('POST', '/v1/images:copy', {
      key: 'admin',
      body: { source: img('dev', 'absent:1'), destination: img('dev', 'absent:2') },
    });
    expect([response.status, response.json.error.code]).toEqual([404, 'AR_REGISTRY_MANIFEST_NOT_FOUND']);
  });

  it('runs a long copy as a job: 202 with its URL, progress and result there, visible to its owner only', async () => {
    const async = await startApi({ copyWaitMs: 0 });
    const response = await call('POST', '/v1/images:copy', {
      key: 'admin',
      at: async.base,
      body: { source: img('dev', 'app:1.0'), destination: `${EU}/${PROJECT}/eu/app:1.0` },
    });
    expect(response.status, response.text).toBe(202);
    expect(response.headers.get('location')).toBe(response.json.url);
    expect(response.json.state).toBe('running');
    await settled(async.api, response.json.id);
    const job = await call('GET', response.json.url, { key: 'admin', at: async.base });
    expect(job.json).toMatchObject({ state: 'succeeded', progress: { images: 1 } });
    expect(job.json.progress.bytes).toBe(job.json.progress.totalBytes);
    expect(job.json.result.images[0].blobs.written).toBeGreaterThan(0);
    const stranger = await call('GET', response.json.url, { key: 'deployer', at: async.base });
    expect([stranger.status, stranger.json.error.code]).toEqual([404, 'AR_API_JOB_NOT_FOUND']);
    const metrics = await call('GET', '/metrics', { at: async.base });
    expect(metrics.text).toMatch(/ar_api_jobs_ended_total\{kind="copy",state="succeeded"\} 1/);
  });

  it.each([
    ['cancel', 'cancelled'],
    ['finish', 'succeeded'],
  ] as const)('on shutdown during a copy (%s), stops accepting and the job ends %s', async (mode, state) => {
    await push(`big-${mode}`, img('dev', `big-${mode}:1`), {
      layerSizes: [8 * 1024 * 1024, 4 * 1024 * 1024],
    });
    const service = await startApi({ copyWaitMs: 0, shutdown: { mode, graceMs: 60_000 } });
    const destination = `${EU}/${PROJECT}/eu/big-${mode}:1`;
    // Shut down at the first byte moved: the copy is mid-transfer, by construction.
    let closing: Promise<void> | undefined;
    const midway = new Promise<Job>((resolve) => {
      service.api.jobs.on('update', (job: Job) => {
        if (job.progress.bytes > 0 && !closing) {
          closing = service.api.close();
          resolve(job);
        }
      });
    });
    const response = await call('POST', '/v1/images:copy', {
      key: 'admin',
      at: service.base,
      body: { source: img('dev', `big-${mode}:1`), destination },
    });
    expect(response.status).toBe(202);
    const job = await midway;
    expect(job.progress.bytes).toBeLessThan(job.progress.totalBytes);
    await closing;
    expect(job.state).toBe(state);
    await expect(fetch(`${service.base}/healthz`)).rejects.toThrow();
    const landed = await setup.images.describe(destination).then(
      () => true,
      (error: { code?: string }) =>
        error.code === 'AR_REGISTRY_MANIFEST_NOT_FOUND' ? false : Promise.reject(error),
    );
    // Cancelled: no tag points at a half-copied image. Finished: the image is there.
    expect(landed).toBe(state === 'succeeded');
  });
});

describe('redirects and token realms: the service contacts only allowedHosts', () => {
  /** A service whose us-west1 registry sits behind the fault proxy, playing a hostile upstream. */
  async function hostileUpstream(
    test: (
      proxy: Awaited<ReturnType<typeof startFaultProxy>>,
      trap: Awaited<ReturnType<typeof startTrap>>,
      at: string,
    ) => Promise<void>,
  ) {
    const [proxy, trap] = await Promise.all([
      startFaultProxy({ target: fixture.emulator.url('us-west1') }),
      startTrap(),
    ]);
    try {
      const { base: at } = await startApi({}, makeConfig({}, proxy.url));
      await test(proxy, trap, at);
    } finally {
      await Promise.all([proxy.stop(), trap.close()]);
    }
  }
  const copyApp = (at: string, tag: string) =>
    call('POST', '/v1/images:copy', {
      key: 'admin',
      at,
      body: { source: img('dev', 'app:1.0'), destination: img('dev', `app:${tag}`) },
    });

  it.each([
    [307, (trap: string) => `http://${trap}/v2/x/manifests/1.0`],
    [302, (trap: string) => `http://localhost:${trap.split(':')[1]}/v2/x/manifests/1.0`],
  ])('never follows a %i redirect to a host outside allowedHosts', async (status, location) => {
    await hostileUpstream(async (proxy, trap, at) => {
      proxy.inject({
        path: /\/manifests\/1\.0$/,
        times: 10,
        fault: { kind: 'status', status, headers: { location: location(trap.host) } },
      });
      const response = await copyApp(at, `redirected-${status}`);
      expect([response.status, response.json.error?.code], response.text).toEqual([
        502,
        'AR_REGISTRY_REDIRECT_NOT_ALLOWED',
      ]);
      expect(trap.hits()).toBe(0);
    });
  });

  it('never sends its Google token to a token realm on another host, and does not remember the realm', async () => {
    await hostileUpstream(async (proxy, trap, at) => {
      proxy.inject({
        path: /\/manifests\/1\.0$/,
        fault: {
          kind: 'status',
          status: 401,
          headers: { 'www-authenticate': `Bearer realm="http://${trap.host}/token",service="${HOST}"` },
        },
      });
      const refused = await copyApp(at, 'realm');
      expect([refused.status, refused.json.error?.code], refused.text).toEqual([
        502,
        'AR_REGISTRY_REALM_NOT_ALLOWED',
      ]);
      // The next copy meets the registry's own realm (on its configured endpoint) and succeeds.
      const copied = await copyApp(at, 'realm');
      expect(copied.status, copied.text).toBe(200);
      expect(trap.hits()).toBe(0);
    });
  });
});
