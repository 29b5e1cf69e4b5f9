import { Readable } from 'node:stream';
import { isArError } from '@ar/errors';
import { type AllowedCredential, buildImageArchive, e2eEnv, tokenAdminClient } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DockerodeEngine,
  type EngineProgressEvent,
  engineServerAddress,
  type ImageEngine,
  type RegistryAuth,
  registryAuthFor,
  resolveEngineConnection,
} from '../../src/index.js';

/**
 * The adapter against real engines: the private dockerd of scripts/e2e-env.sh and, the same
 * suite, Podman's Docker-compatible service; the registry is the CNCF distribution registry
 * with token auth. Logins go to the engine per call, as `X-Registry-Auth`, never into its store.
 * (Where logins come from, and the direct push / registry pull flows, are @ar/core's e2e.)
 */
const env = e2eEnv();
const admin = tokenAdminClient(env.tokenAdmin);

const engines: { name: string; host: string }[] = [{ name: 'docker', host: env.dockerHost }];
if (env.podmanHost) engines.push({ name: 'podman', host: env.podmanHost });

it('runs the suite against Podman too (scripts/e2e-env.sh starts it unless AR_E2E_PODMAN=0)', () => {
  if (process.env.AR_E2E_PODMAN === '0') return;
  expect(env.podmanHost, 'AR_E2E_PODMAN_HOST is not set: install the Debian package podman').toBeDefined();
});

/** A fresh random image loaded into the engine; returns its archive. */
async function loadFreshImage(engine: ImageEngine, randomBytes = 64 * 1024) {
  const archive = await buildImageArchive({ randomBytes });
  await engine.loadImage(Readable.from([archive.tar]));
  return archive;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe.each(engines)('$name engine', ({ name, host }) => {
  let engine: ImageEngine;
  let writer: AllowedCredential;
  let auth: RegistryAuth;
  const repo = (image: string) => `${env.registry}/e2e-docker-${name}/${image}`;
  const loginOf = (credential: AllowedCredential) =>
    registryAuthFor(engineServerAddress(env.registry), credential);

  beforeAll(async () => {
    writer = await admin.allow({ kind: 'access_token', subject: `docker-e2e-${name}-writer` });
    auth = loginOf(writer);
    // No TLS: these engines listen on unix sockets, so the config dir (TLS files) is never read.
    engine = new DockerodeEngine(
      resolveEngineConnection({ host, tlsVerify: false, configDir: '/nonexistent' }),
    );
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('reports which engine answers', async () => {
    const info = await engine.info();
    expect(info.product).toBe(name);
    expect(info.apiVersion).toMatch(/^\d+\.\d+$/);
    expect(info.address).toBe(host);
  });

  it('tags, pushes with a login for this push only, and pulls back the same image and digest', async () => {
    const archive = await loadFreshImage(engine);
    const target = repo('engine:1');
    await engine.tagImage(archive.imageId, target);

    const events: EngineProgressEvent[] = [];
    const pushed = await engine.pushImage(target, { auth, onProgress: (e) => events.push(e) });
    expect(pushed.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    // dockerd reports each layer; Podman 4.3's compatible push reports only its final digest line.
    if (name === 'docker') expect(events.some((e) => e.type === 'layer')).toBe(true);
    expect(events.some((e) => e.type === 'status' && e.status.includes(`digest: ${pushed.digest}`))).toBe(
      true,
    );

    await engine.removeImage(target, { force: true });
    await expect(engine.inspectImage(target)).rejects.toMatchObject({ code: 'AR_DOCKER_IMAGE_NOT_FOUND' });

    // Pulled back by digest from the registry: it holds what the engine said it pushed.
    const pulled = await engine.pullImage(`${repo('engine')}@${pushed.digest}`, { auth });
    expect(pulled.reference).toBe(`${repo('engine')}@${pushed.digest}`);
    expect((await engine.inspectImage(archive.imageId)).id).toBe(archive.imageId);
    await engine.pullImage(target, { auth });
    // By repository: dockerd lists only the references matching the filter (a tag filter hides digests).
    const listed = await engine.listImages({ reference: repo('engine') });
    const image = listed.find((i) => i.id === archive.imageId);
    expect(image?.repoTags).toContain(target);
    expect(image?.repoDigests).toContain(`${repo('engine')}@${pushed.digest}`);
    expect((await engine.inspectImage(target)).diffIds).toEqual([archive.diffId]);
  });

  it('saves an image as a stream and loads it back with the same ID', async () => {
    const archive = await loadFreshImage(engine);
    const saved = repo('saved:1');
    await engine.tagImage(archive.imageId, saved);
    const tar = await collect(await engine.saveImage(saved));
    await engine.removeImage(saved, { force: true });
    await expect(engine.inspectImage(archive.imageId)).rejects.toMatchObject({
      code: 'AR_DOCKER_IMAGE_NOT_FOUND',
    });

    const loaded = await engine.loadImage(Readable.from([tar]));
    expect(loaded.images.some((i) => i.endsWith(saved) || i === archive.imageId)).toBe(true);
    expect((await engine.inspectImage(saved)).id).toBe(archive.imageId);
  });

  it('reports a push the registry denies as a typed error, not success', async () => {
    const reader = await admin.allow({ kind: 'access_token', access: { actions: ['pull'] } });
    const archive = await loadFreshImage(engine);
    const target = repo('denied:1');
    await engine.tagImage(archive.imageId, target);
    const error = await engine.pushImage(target, { auth: loginOf(reader) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isArError(error) && error.code).toBe('AR_DOCKER_REGISTRY_DENIED');
    expect((error as Error).message).toMatch(/refused the push/);
    await engine.removeImage(target, { force: true });
  });

  it('reports a missing tag on pull as not found', async () => {
    await expect(engine.pullImage(repo('engine:does-not-exist'), { auth })).rejects.toMatchObject({
      code: 'AR_DOCKER_IMAGE_NOT_FOUND',
    });
  });

  it('cancels a pull when the AbortSignal fires, and the engine keeps nothing', async () => {
    const archive = await loadFreshImage(engine, 48 * 1024 * 1024);
    const target = repo('aborted:1');
    await engine.tagImage(archive.imageId, target);
    await engine.pushImage(target, { auth });
    await engine.removeImage(target, { force: true });
    await expect(engine.inspectImage(archive.imageId)).rejects.toMatchObject({
      code: 'AR_DOCKER_IMAGE_NOT_FOUND',
    });

    const controller = new AbortController();
    const seen: EngineProgressEvent[] = [];
    await expect(
      engine.pullImage(target, {
        auth,
        signal: controller.signal,
        onProgress: (e) => {
          seen.push(e);
          if (e.type === 'layer') controller.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'AR_DOCKER_ABORTED' });
    // Aborted at the first layer event, long before 48 MiB could arrive and be unpacked.
    expect(seen.filter((e) => e.type === 'layer')).toHaveLength(1);
    expect((await engine.info()).product).toBe(name);
    await expect(engine.inspectImage(target)).rejects.toMatchObject({ code: 'AR_DOCKER_IMAGE_NOT_FOUND' });
  });
});
