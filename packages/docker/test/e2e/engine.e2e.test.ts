import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isArError } from '@ar/errors';
import { type AllowedCredential, e2eEnv, tokenAdminClient } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerClient, type DockerClient, type EngineProgressEvent } from '../../src/index.js';
import {
  collect,
  loadFreshImage,
  registryDigest,
  registryLayerTypes,
  testConfig,
  writeDockerLogin,
} from './helpers.js';

/**
 * The adapter against real engines: the private dockerd of scripts/e2e-env.sh and, the same
 * suite, Podman's Docker-compatible service; the registry is the CNCF distribution registry
 * with token auth. Credentials reach the engine only through @ar/auth (Docker's config.json
 * here, as the registry is not a Google host).
 */
const env = e2eEnv();
const admin = tokenAdminClient(env.tokenAdmin);

const engines: { name: string; host: string }[] = [{ name: 'docker', host: env.dockerHost }];
if (env.podmanHost) engines.push({ name: 'podman', host: env.podmanHost });

it('runs the suite against Podman too (scripts/e2e-env.sh starts it unless AR_E2E_PODMAN=0)', () => {
  if (process.env.AR_E2E_PODMAN === '0') return;
  expect(env.podmanHost, 'AR_E2E_PODMAN_HOST is not set: install the Debian package podman').toBeDefined();
});

describe.each(engines)('$name engine', ({ name, host }) => {
  let home: string;
  let writer: AllowedCredential;
  let client: DockerClient;
  const repo = (image: string) => `${env.registry}/e2e-docker-${name}/${image}`;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), `ar-docker-e2e-${name}-`));
    writer = await admin.allow({ kind: 'access_token', subject: `docker-e2e-${name}-writer` });
    await writeDockerLogin(join(home, '.docker'), env.registry, writer);
    client = createDockerClient(testConfig(home, { docker: { host } }));
  });
  afterAll(async () => {
    await client?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('reports which engine answers', async () => {
    const info = await client.info();
    expect(info.product).toBe(name);
    expect(info.apiVersion).toMatch(/^\d+\.\d+$/);
    expect(info.address).toBe(host);
  });

  it('tags, pushes through the engine, and pulls back the same image and digest', async () => {
    const archive = await loadFreshImage(client);
    const target = repo('engine:1');
    expect(await client.tag(archive.imageId, target)).toBe(target);

    const events: EngineProgressEvent[] = [];
    const pushed = await client.push(target, { onProgress: (e) => events.push(e) });
    expect(pushed.via).toBe('engine');
    expect(pushed.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    // The registry holds what the engine said it pushed.
    expect(await registryDigest(registryConfig(home), writer, target)).toBe(pushed.digest);
    // dockerd reports each layer; Podman 4.3's compatible push reports only its final digest line.
    if (name === 'docker') expect(events.some((e) => e.type === 'layer')).toBe(true);
    expect(events.some((e) => e.type === 'status' && e.status.includes(`digest: ${pushed.digest}`))).toBe(
      true,
    );

    await client.remove(target, { force: true });
    await expect(client.inspect(target)).rejects.toMatchObject({ code: 'AR_DOCKER_IMAGE_NOT_FOUND' });

    const pulled = await client.pull(target);
    expect(pulled).toMatchObject({ via: 'engine', digest: pushed.digest, imageId: archive.imageId });
    // By repository: dockerd lists only the references matching the filter (a tag filter hides digests).
    const listed = await client.list({ reference: repo('engine') });
    expect(listed.map((i) => i.id)).toContain(archive.imageId);
    const image = listed.find((i) => i.id === archive.imageId);
    expect(image?.repoTags).toContain(target);
    expect(image?.repoDigests).toContain(`${repo('engine')}@${pushed.digest}`);
    const details = await client.inspect(target);
    expect(details.diffIds).toEqual([archive.diffId]);
  });

  it('pushes directly (engine save → @ar/registry, layers gzipped) and pulls through the registry + load', async () => {
    const archive = await loadFreshImage(client);
    const target = repo('direct:1');
    const events: EngineProgressEvent[] = [];
    const pushed = await client.push(target, {
      source: archive.imageId,
      via: 'direct',
      compressLayers: true,
      onProgress: (e) => events.push(e),
    });
    expect(pushed.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await registryDigest(registryConfig(home), writer, target)).toBe(pushed.digest);
    expect(events.filter((e) => e.type === 'layer' && e.phase === 'pushed').length).toBeGreaterThanOrEqual(1);
    // Stored as docker push stores them, gzipped, though docker save exported them uncompressed.
    const layers = await registryLayerTypes(registryConfig(home), writer, target);
    expect(layers.length).toBeGreaterThanOrEqual(1);
    for (const mediaType of layers) expect(mediaType).toMatch(/gzip$/);

    await client.remove(target, { force: true });
    const pulled = await client.pull(target, { via: 'registry' });
    expect(pulled).toMatchObject({ via: 'registry', digest: pushed.digest, imageId: archive.imageId });
    expect((await client.inspect(target)).id).toBe(archive.imageId);
  });

  it('saves an image as a stream and loads it back with the same ID', async () => {
    const archive = await loadFreshImage(client);
    const name = repo('saved:1');
    await client.tag(archive.imageId, name);
    const tar = await collect(await client.save(name));
    await client.remove(name, { force: true });
    await expect(client.inspect(archive.imageId)).rejects.toMatchObject({
      code: 'AR_DOCKER_IMAGE_NOT_FOUND',
    });

    const loaded = await client.load(Readable.from([tar]));
    expect(loaded.images.some((i) => i.endsWith(name) || i === archive.imageId)).toBe(true);
    expect((await client.inspect(name)).id).toBe(archive.imageId);
  });

  it('reports a push the registry denies as a typed error, not success', async () => {
    const reader = await admin.allow({ kind: 'access_token', access: { actions: ['pull'] } });
    const readerHome = await mkdtemp(join(tmpdir(), `ar-docker-e2e-${name}-reader-`));
    try {
      await writeDockerLogin(join(readerHome, '.docker'), env.registry, reader);
      const readerClient = createDockerClient(testConfig(readerHome, { docker: { host } }));
      const archive = await loadFreshImage(readerClient);
      const target = repo('denied:1');
      const error = await readerClient.push(target, { source: archive.imageId }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isArError(error) && error.code).toBe('AR_DOCKER_REGISTRY_DENIED');
      expect((error as Error).message).toMatch(/refused the push/);
      expect(await registryDigest(registryConfig(home), writer, target)).toBeUndefined();
      await readerClient.close();
    } finally {
      await rm(readerHome, { recursive: true, force: true });
    }
  });

  it('reports a missing tag on pull as not found', async () => {
    await expect(client.pull(repo('engine:does-not-exist'))).rejects.toMatchObject({
      code: 'AR_DOCKER_IMAGE_NOT_FOUND',
    });
  });

  it('cancels an engine pull when the AbortSignal fires, and the engine keeps nothing', async () => {
    const archive = await loadFreshImage(client, 48 * 1024 * 1024);
    const target = repo('aborted:1');
    await client.push(target, { source: archive.imageId });
    await client.remove(target, { force: true });
    await expect(client.inspect(archive.imageId)).rejects.toMatchObject({
      code: 'AR_DOCKER_IMAGE_NOT_FOUND',
    });

    const controller = new AbortController();
    const seen: EngineProgressEvent[] = [];
    await expect(
      client.pull(target, {
        signal: controller.signal,
        onProgress: (e) => {
          seen.push(e);
          if (e.type === 'layer') controller.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'AR_DOCKER_ABORTED' });
    // Aborted at the first layer event, long before 48 MiB could arrive and be unpacked.
    expect(seen.filter((e) => e.type === 'layer')).toHaveLength(1);
    expect((await client.info()).product).toBe(name);
    await expect(client.inspect(target)).rejects.toMatchObject({ code: 'AR_DOCKER_IMAGE_NOT_FOUND' });
  });
});

/** The config for reading the registry directly in checks. */
function registryConfig(home: string) {
  return testConfig(home, {});
}
