// The service's cache of upstream reads, over real HTTP on loopback against the emulator: how
// stale an answer can be, how a caller asks for a fresh one, what is shared and what is never
// fetched twice, and that authorization still happens on every request.
import { join } from 'node:path';
import { type ArResolvedConfig, resolveConfig } from '@ar/config';
import { type ArClient, createClient } from '@ar/core';
import { startTestEmulator, type TestEmulator } from '@ar/emulator/testing';
import { writeOciLayoutImage } from '@ar/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../test/helpers.js';
import { type ApiService, createApi } from './app.js';
import { wantsFresh } from './upstream-cache.js';

const PROJECT = 'cache-tests';
const HOST = 'us-west1-docker.pkg.dev';
const KEYS = {
  reader: 'key-reader-0123456789',
  outsider: 'key-outsider-0123456789',
  deployer: 'key-deployer-0123456789',
};
const img = (rest: string) => `${HOST}/${PROJECT}/apps/${rest}`;

let fixture: TestEmulator;
let setup: ArClient;
let pushes = 0;
const services: ApiService[] = [];

function makeConfig(cache: Record<string, unknown>): ArResolvedConfig {
  return resolveConfig({
    ...fixture.isolatedUser,
    overrides: {
      ...fixture.clientConfig('cache-svc'),
      api: {
        allowedHosts: [HOST],
        cache,
        callers: [
          {
            name: 'reader',
            apiKeySha256: sha256Hex(KEYS.reader),
            grants: [{ prefix: `${HOST}/${PROJECT}`, role: 'read' }],
          },
          {
            name: 'deployer',
            apiKeySha256: sha256Hex(KEYS.deployer),
            grants: [{ prefix: `${HOST}/${PROJECT}/apps`, role: 'write' }],
          },
          // Reads one other repository only: never the one the reader's answers are cached for.
          {
            name: 'outsider',
            apiKeySha256: sha256Hex(KEYS.outsider),
            grants: [{ prefix: `${HOST}/${PROJECT}/other`, role: 'read' }],
          },
        ],
      },
    },
  }).config;
}

/** A service with the given `api.cache`, and the upstream requests its client makes. */
async function startService(cache: Record<string, unknown>) {
  const upstream: string[] = [];
  const service = await createApi({
    config: makeConfig(cache),
    logger: false,
    requestLog: (line) => upstream.push(line),
  });
  services.push(service);
  const base = await service.listen({ host: '127.0.0.1', port: 0 });
  const resolve = async (
    ref: string,
    options: { key?: keyof typeof KEYS; headers?: Record<string, string>; query?: string } = {},
  ) => {
    const response = await fetch(
      `${base}/v1/images:resolve?ref=${encodeURIComponent(ref)}${options.query ?? ''}`,
      {
        headers: { authorization: `Bearer ${KEYS[options.key ?? 'reader']}`, ...options.headers },
      },
    );
    return {
      status: response.status,
      json: (await response.json()) as { digest: string; tags: string[]; error?: { code: string } },
    };
  };
  /** Upstream requests whose line matches, e.g. `GET .../manifests/`. */
  const count = (pattern: RegExp) => upstream.filter((line) => pattern.test(line)).length;
  const tag = (source: string, tag: string) =>
    fetch(`${base}/v1/images:tag`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.deployer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source, tag }),
    });
  return { resolve, tag, count, upstream };
}

/** Pushes a new image (its own content) under `ref`; returns its digest. */
async function pushNew(ref: string, options: Parameters<typeof writeOciLayoutImage>[1] = {}) {
  const dir = join(fixture.work, `image-${++pushes}`);
  await writeOciLayoutImage(dir, { layerSizes: [512 + pushes], ...options });
  const result = await setup.push(`oci:${dir}`, ref);
  return result.images[0]!.digest;
}

const MANIFEST_GET = /^GET \S+\/manifests\//;

beforeAll(async () => {
  fixture = await startTestEmulator({
    project: PROJECT,
    accounts: { 'cache-svc': 'roles/artifactregistry.admin' },
    repositories: ['apps', 'other'],
  });
  setup = createClient(makeConfig({}));
});

afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.close()));
});

afterAll(async () => {
  await setup?.close();
  await fixture?.stop();
});

describe('bounded staleness', () => {
  it('answers a moved tag from the cache until the TTL, and at once with Cache-Control: no-cache or ?fresh=true', async () => {
    const before = await pushNew(img('web:stable'));
    const { resolve, count } = await startService({ tagTtlSeconds: 600 });
    expect((await resolve(img('web:stable'))).json.digest).toBe(before);

    const after = await pushNew(img('web:stable'));
    expect(after).not.toBe(before);
    const manifestCalls = count(MANIFEST_GET);
    // Within the TTL: the cached answer, and no upstream call.
    expect((await resolve(img('web:stable'))).json.digest).toBe(before);
    expect(count(MANIFEST_GET)).toBe(manifestCalls);

    const fresh = await resolve(img('web:stable'), { headers: { 'cache-control': 'no-cache' } });
    expect(fresh).toMatchObject({ status: 200, json: { digest: after, tags: ['stable'] } });
    // The fresh answer replaced the cached one for everyone.
    expect((await resolve(img('web:stable'))).json.digest).toBe(after);

    const third = await pushNew(img('web:stable'));
    expect((await resolve(img('web:stable'), { query: '&fresh=true' })).json.digest).toBe(third);
  });

  it('sees a moved tag once the tag TTL has passed', async () => {
    const before = await pushNew(img('api:stable'));
    const { resolve } = await startService({ tagTtlSeconds: 0.2 });
    expect((await resolve(img('api:stable'))).json.digest).toBe(before);
    const after = await pushNew(img('api:stable'));
    // Poll until the answer changes; the test's own timeout bounds it on a slow machine.
    let seen = before;
    while (seen !== after) {
      seen = (await resolve(img('api:stable'))).json.digest;
      if (seen !== after) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(seen).toBe(after);
  });

  it("shows the service's own write at once: a tag moved through it is not answered from the cache", async () => {
    const before = await pushNew(img('site:prod'));
    const candidate = await pushNew(img('site:candidate'));
    const { resolve, tag } = await startService({ tagTtlSeconds: 600 });
    expect((await resolve(img('site:prod'))).json.digest).toBe(before);
    expect((await tag(img('site:candidate'), 'prod')).status).toBe(200);
    expect(await resolve(img('site:prod'))).toMatchObject({
      status: 200,
      json: { digest: candidate, tags: expect.arrayContaining(['candidate', 'prod']) },
    });
  });

  it('keeps no failure: an image pushed after a 404 is found at once, whatever the TTL', async () => {
    const { resolve } = await startService({ tagTtlSeconds: 600 });
    expect((await resolve(img('late:1'))).status).toBe(404);
    const digest = await pushNew(img('late:1'));
    expect(await resolve(img('late:1'))).toMatchObject({ status: 200, json: { digest } });
  });

  it('asks upstream on every request with api.cache.enabled false', async () => {
    await pushNew(img('plain:1'));
    const { resolve, count } = await startService({ enabled: false });
    await resolve(img('plain:1'));
    const once = count(MANIFEST_GET);
    expect(once).toBeGreaterThan(0);
    await resolve(img('plain:1'));
    expect(count(MANIFEST_GET)).toBe(2 * once);
  });
});

describe('shared lookups and content by digest', () => {
  it('makes one upstream call of each kind for 20 concurrent identical resolves', async () => {
    await pushNew(img('busy:1'));
    const { resolve, count, upstream } = await startService({});
    const answers = await Promise.all(Array.from({ length: 20 }, () => resolve(img('busy:1'))));
    expect(new Set(answers.map((answer) => answer.json.digest)).size).toBe(1);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(count(MANIFEST_GET)).toBe(1);
    expect(count(/^GET \S+\/tags\/list/)).toBe(1);
    expect(count(/^GET \S+\/repositories\/apps /)).toBe(1);
    // Warm: nothing upstream at all, not even a token.
    const cold = upstream.length;
    await Promise.all(Array.from({ length: 20 }, () => resolve(img('busy:1'))));
    expect(upstream.slice(cold)).toEqual([]);
  });

  it('never fetches a manifest by digest twice, even when asked for a fresh answer', async () => {
    const digest = await pushNew(img('multi:1'), {
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ],
    });
    const { resolve, count } = await startService({});
    const byDigest = /^GET \S+\/manifests\/sha256:/;
    expect((await resolve(img('multi:1'))).json.digest).toBe(digest);
    expect(count(byDigest)).toBe(2); // the two platform manifests of the index
    await resolve(img('multi:1'), { headers: { 'cache-control': 'no-cache' } });
    await resolve(img(`multi@${digest}`), { query: '&fresh=true' });
    await resolve(img(`multi@${digest}`));
    // The children never again, and the index was kept by its digest when its tag was read.
    expect(count(byDigest)).toBe(2);
    // The tag was asked again for the fresh answer.
    expect(count(/^GET \S+\/manifests\/1 /)).toBe(2);
  });
});

describe('authorization of cached answers', () => {
  it('refuses a caller without a grant even though the answer is cached, without asking upstream', async () => {
    await pushNew(img('secret:1'));
    const { resolve, upstream } = await startService({ tagTtlSeconds: 600 });
    expect((await resolve(img('secret:1'))).status).toBe(200);
    const warm = upstream.length;
    const refused = await resolve(img('secret:1'), { key: 'outsider' });
    expect(refused).toMatchObject({ status: 403, json: { error: { code: 'AR_API_FORBIDDEN' } } });
    expect(
      (await resolve(img('secret:1'), { key: 'outsider', headers: { 'cache-control': 'no-cache' } })).status,
    ).toBe(403);
    expect(upstream.length).toBe(warm);
  });
});

describe('wantsFresh', () => {
  it.each([
    [undefined, false, false],
    ['no-cache', false, true],
    ['max-age=0', false, true],
    ['No-Cache, no-store', false, true],
    ['max-age=60', false, false],
    ['no-store', false, false],
    [undefined, true, true],
  ])('Cache-Control %s with fresh=%s → %s', (header, parameter, expected) => {
    expect(wantsFresh(header, parameter)).toBe(expected);
  });
});
