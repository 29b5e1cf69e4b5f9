import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../emulator.js';
import { ADMIN, type Fixture, startFixture } from '../testing/fixture.js';
import { makeImage, RegistryClient, sha256 } from '../testing/registry-client.js';
import { UPSTREAM_HEADER } from './registry-api.js';

/**
 * Remote and virtual repositories. The upstream of the remote repository is a second emulator
 * serving a public repository: a real registry with the token dance, anonymous pulls allowed.
 */
let upstream: Emulator;
let fx: Fixture;
let owner: RegistryClient;
const upstreamImage = makeImage({ layerSizes: [3000, 100] });

beforeAll(async () => {
  upstream = await startEmulator({
    seed: {
      projects: [
        {
          id: 'upstream-project',
          iam: [{ role: 'roles/owner', members: [`user:${ADMIN}`] }],
          repositories: [{ id: 'mirror', location: 'us-central1', public: true }],
        },
      ],
    },
  });
  const upstreamOwner = new RegistryClient(upstream.url(), {
    username: 'oauth2accesstoken',
    password: upstream.mintAccessToken(`user:${ADMIN}`).accessToken,
  });
  expect(
    (await upstreamOwner.pushImage('upstream-project/mirror/tools/hello', upstreamImage, '1.0')).status,
  ).toBe(201);
  fx = await startFixture();
  const base = { format: 'DOCKER' };
  fx.emulator.createRepository('my-project', 'us-central1', 'cache', {
    ...base,
    mode: 'REMOTE_REPOSITORY',
    remoteRepositoryConfig: { dockerRepository: { customRepository: { uri: upstream.url() } } },
  });
  fx.emulator.createRepository('my-project', 'us-central1', 'low', base);
  fx.emulator.createRepository('my-project', 'us-central1', 'high', base);
  fx.emulator.createRepository('my-project', 'us-central1', 'all', {
    ...base,
    mode: 'VIRTUAL_REPOSITORY',
    virtualRepositoryConfig: {
      upstreamPolicies: [
        { id: 'low', repository: 'projects/my-project/locations/us-central1/repositories/low', priority: 20 },
        {
          id: 'high',
          repository: 'projects/my-project/locations/us-central1/repositories/high',
          priority: 100,
        },
        {
          id: 'cache',
          repository: 'projects/my-project/locations/us-central1/repositories/cache',
          priority: 10,
        },
      ],
    },
  });
  owner = new RegistryClient(fx.emulator.url(), { username: 'oauth2accesstoken', password: fx.adminToken() });
});

afterAll(async () => {
  await fx?.emulator.stop();
  await upstream?.stop();
});

describe('remote repositories', () => {
  it('fetches a missing image from the upstream, verifies and caches it, then serves it from the cache', async () => {
    const name = 'my-project/cache/upstream-project/mirror/tools/hello';
    const manifest = await owner.request(`/v2/${name}/manifests/1.0`);
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get('docker-content-digest')).toBe(upstreamImage.digest);
    for (const blob of [upstreamImage.config, ...upstreamImage.layers]) {
      const response = await owner.request(`/v2/${name}/blobs/${sha256(blob)}`);
      expect(Buffer.from(await response.arrayBuffer()).equals(blob)).toBe(true);
    }
    // With the upstream gone, the cache alone answers.
    await upstream.stop();
    const again = await owner.request(`/v2/${name}/manifests/${upstreamImage.digest}`);
    expect(again.status).toBe(200);
    const blob = await owner.request(`/v2/${name}/blobs/${sha256(upstreamImage.layers[0]!)}`);
    expect(blob.status).toBe(200);
    await blob.body?.cancel();
    const unknown = await owner.request(`/v2/${name}/manifests/never`);
    expect(unknown.status).toBe(502);
  });

  it('refuses pushes', async () => {
    const response = await owner.request('/v2/my-project/cache/anything/blobs/uploads/', { method: 'POST' });
    expect(response.status).toBe(405);
    const body = (await response.json()) as { errors: Array<{ code: string; message: string }> };
    expect(body.errors[0]!.code).toBe('UNSUPPORTED');
    expect(body.errors[0]!.message).toContain('remote repository');
  });
});

describe('virtual repositories', () => {
  it('serves from the highest-priority upstream that has the image and says which one', async () => {
    const lowImage = makeImage();
    const highImage = makeImage();
    expect((await owner.pushImage('my-project/low/app', lowImage, 'v1')).status).toBe(201);
    expect((await owner.pushImage('my-project/low/only-low', lowImage, 'v1')).status).toBe(201);
    expect((await owner.pushImage('my-project/high/app', highImage, 'v1')).status).toBe(201);
    const both = await owner.request('/v2/my-project/all/app/manifests/v1');
    expect(both.headers.get('docker-content-digest')).toBe(highImage.digest);
    expect(both.headers.get(UPSTREAM_HEADER)).toBe(
      'projects/my-project/locations/us-central1/repositories/high',
    );
    const onlyLow = await owner.request('/v2/my-project/all/only-low/manifests/v1');
    expect(onlyLow.headers.get(UPSTREAM_HEADER)).toBe(
      'projects/my-project/locations/us-central1/repositories/low',
    );
    const layer = await owner.request(`/v2/my-project/all/only-low/blobs/${sha256(lowImage.layers[0]!)}`);
    expect(Buffer.from(await layer.arrayBuffer()).equals(lowImage.layers[0]!)).toBe(true);
  });

  it('refuses pushes', async () => {
    const response = await owner.putManifest('my-project/all/app', 'v2', makeImage().manifest);
    expect(response.status).toBe(405);
    expect(((await response.json()) as { errors: Array<{ message: string }> }).errors[0]!.message).toContain(
      'virtual repository',
    );
  });
});
