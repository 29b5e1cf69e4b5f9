import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isArError } from '@ar/errors';
import { parseImageRef } from '@ar/registry';
import { type AllowedCredential, e2eEnv, tokenAdminClient } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferProgress } from '../../src/progress.js';
import {
  engineFlows,
  loadFreshImage,
  registryDigest,
  registryLayerTypes,
  testConfig,
  writeDockerLogin,
} from './helpers.js';

/**
 * The engine flows core composes, against real engines (the private dockerd of
 * scripts/e2e-env.sh and Podman's Docker-compatible service) and the token-auth distribution
 * registry: logins come from @ar/auth (Docker's config.json here, as the registry is not a Google
 * host), the direct paths move the bytes with the registry client.
 */
const env = e2eEnv();
const admin = tokenAdminClient(env.tokenAdmin);

const engines: { name: string; host: string }[] = [{ name: 'docker', host: env.dockerHost }];
if (env.podmanHost) engines.push({ name: 'podman', host: env.podmanHost });

describe.each(engines)('$name engine', ({ name, host }) => {
  let home: string;
  let writer: AllowedCredential;
  let flows: ReturnType<typeof engineFlows>;
  const repo = (image: string) => `${env.registry}/e2e-core-${name}/${image}`;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), `ar-core-e2e-${name}-`));
    writer = await admin.allow({ kind: 'access_token', subject: `core-e2e-${name}-writer` });
    await writeDockerLogin(join(home, '.docker'), env.registry, writer);
    flows = engineFlows(testConfig(home, { docker: { host } }), home);
  });
  afterAll(async () => {
    await flows?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('tags and pushes through the engine with a login from @ar/auth, and pulls back the same image', async () => {
    const archive = await loadFreshImage(flows.engine);
    const target = repo('engine:1');
    expect(await flows.ops.tag(archive.imageId, parseImageRef(target))).toBe(target);

    const events: TransferProgress[] = [];
    const pushed = await flows.ops.push(archive.imageId, parseImageRef(target), {
      onProgress: (e) => events.push(e),
    });
    expect(pushed).toMatchObject({ reference: target, via: 'engine' });
    expect(pushed.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await registryDigest(testConfig(home, {}), writer, target)).toBe(pushed.digest);
    // The engine's words in the shared vocabulary (Podman 4.3 sends no per-layer push events).
    if (name === 'docker') expect(events.some((e) => e.type === 'layer' && e.state === 'done')).toBe(true);
    expect(events.some((e) => e.type === 'status' && e.message.includes(`digest: ${pushed.digest}`))).toBe(
      true,
    );

    await flows.engine.removeImage(target, { force: true });
    const pulled = await flows.ops.pull(parseImageRef(target));
    expect(pulled).toMatchObject({ via: 'engine', digest: pushed.digest, imageId: archive.imageId });
  });

  it('pushes directly (engine save → registry client, layers gzipped) and pulls through the registry + load', async () => {
    const archive = await loadFreshImage(flows.engine);
    const target = repo('direct:1');
    const events: TransferProgress[] = [];
    const pushed = await flows.ops.push(archive.imageId, parseImageRef(target), {
      via: 'direct',
      compressLayers: true,
      onProgress: (e) => events.push(e),
    });
    expect(pushed.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(await registryDigest(testConfig(home, {}), writer, target)).toBe(pushed.digest);
    expect(events[0]).toEqual({ type: 'status', message: `Exporting ${target} from the engine` });
    expect(events.filter((e) => e.type === 'layer' && e.state === 'done').length).toBeGreaterThanOrEqual(1);
    // Stored as docker push stores them, gzipped, though docker save exported them uncompressed.
    const layers = await registryLayerTypes(testConfig(home, {}), writer, target);
    expect(layers.length).toBeGreaterThanOrEqual(1);
    for (const mediaType of layers) expect(mediaType).toMatch(/gzip$/);

    await flows.engine.removeImage(target, { force: true });
    const pulled = await flows.ops.pull(parseImageRef(target), { via: 'registry' });
    expect(pulled).toMatchObject({ via: 'registry', digest: pushed.digest, imageId: archive.imageId });
    expect((await flows.engine.inspectImage(target)).id).toBe(archive.imageId);
    // Nothing spooled is left behind.
    expect((await readdir(home)).filter((entry) => entry.startsWith('ar-docker-'))).toEqual([]);
  });

  it('reports a push the registry denies as a typed error, with nothing in the registry', async () => {
    const reader = await admin.allow({ kind: 'access_token', access: { actions: ['pull'] } });
    const readerHome = await mkdtemp(join(tmpdir(), `ar-core-e2e-${name}-reader-`));
    const readerFlows = engineFlows(testConfig(readerHome, { docker: { host } }), readerHome);
    try {
      await writeDockerLogin(join(readerHome, '.docker'), env.registry, reader);
      const archive = await loadFreshImage(readerFlows.engine);
      const target = repo('denied:1');
      for (const via of ['engine', 'direct'] as const) {
        const error = await readerFlows.ops.push(archive.imageId, parseImageRef(target), { via }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isArError(error) && error.code).toMatch(
          via === 'engine' ? /^AR_DOCKER_REGISTRY_DENIED$/ : /^AR_REGISTRY_(DENIED|UNAUTHORIZED)$/,
        );
      }
      expect(await registryDigest(testConfig(home, {}), writer, target)).toBeUndefined();
    } finally {
      await readerFlows.close();
      await rm(readerHome, { recursive: true, force: true });
    }
  });

  it('reports a missing tag on pull as not found, by either path', async () => {
    await expect(flows.ops.pull(parseImageRef(repo('engine:does-not-exist')))).rejects.toMatchObject({
      code: 'AR_DOCKER_IMAGE_NOT_FOUND',
    });
    await expect(
      flows.ops.pull(parseImageRef(repo('engine:does-not-exist')), { via: 'registry' }),
    ).rejects.toMatchObject({ code: 'AR_REGISTRY_MANIFEST_NOT_FOUND' });
  });
});

/**
 * Google credentials go only to Google hosts. The "Google" token here is an access token the
 * token server knows (so a leak would be accepted and show up in its log under that
 * credential), configured as gar's `auth.accessToken`; Docker's config.json holds a different
 * login for the registry. Against a plain host the engine must use config.json's login; once
 * the config marks the host as Google's, the Google token.
 */
describe('credentials per host', () => {
  let home: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'ar-core-e2e-google-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('never sends Google credentials to a non-Google registry, and sends them to a Google one', async () => {
    const google = await admin.allow({ kind: 'access_token', subject: 'google-token@core-e2e' });
    const dockerLogin = await admin.allow({ kind: 'access_token', subject: 'docker-login@core-e2e' });
    await writeDockerLogin(join(home, '.docker'), env.registry, dockerLogin);
    const base = {
      docker: { host: env.dockerHost },
      auth: { sources: ['access-token' as const], accessToken: google.token! },
    };
    const plainRef = parseImageRef(`${env.registry}/e2e-google/plain:1`);

    const plain = engineFlows(testConfig(home, base), home);
    const archive = await loadFreshImage(plain.engine);
    try {
      await plain.ops.push(archive.imageId, plainRef);
      await plain.ops.pull(plainRef);
    } finally {
      await plain.close();
    }
    let requests = await admin.requests();
    expect(
      requests.filter((r) => r.credentialId === dockerLogin.id && r.status === 200).length,
    ).toBeGreaterThan(0);
    expect(requests.filter((r) => r.credentialId === google.id)).toEqual([]);

    const marked = engineFlows(
      testConfig(home, { ...base, registries: { [env.registry]: { google: true } } }),
      home,
    );
    try {
      await marked.ops.push(archive.imageId, { ...plainRef, repository: 'e2e-google/marked' });
    } finally {
      await marked.close();
    }
    requests = await admin.requests();
    expect(requests.filter((r) => r.credentialId === google.id && r.status === 200).length).toBeGreaterThan(
      0,
    );
  });
});
