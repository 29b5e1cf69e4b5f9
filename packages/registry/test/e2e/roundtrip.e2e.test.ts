import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isArError } from '@ar/errors';
import { runChecked, writeOciLayoutImage } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegistryClient } from '../../src/client.js';
import { copy } from '../../src/copy.js';
import { credential, env, makeClient, tempDir, unique } from './helpers.js';

let client: RegistryClient;
let dir: { path: string; remove(): Promise<void> };
let creds: { username: string; password: string };

beforeAll(async () => {
  const { allowed, provider } = await credential();
  creds = { username: allowed.username, password: allowed.password };
  client = makeClient(provider);
  dir = await tempDir();
});
afterAll(async () => {
  await client?.close();
  await dir?.remove();
});

async function blobFiles(layout: string): Promise<string[]> {
  return (await readdir(join(layout, 'blobs/sha256'))).sort();
}

const CASES = [
  { name: 'OCI image manifest', format: 'oci' as const },
  { name: 'Docker v2 schema 2 manifest', format: 'docker' as const },
  { name: 'OCI image index', format: 'oci' as const, platforms: true },
  { name: 'Docker manifest list', format: 'docker' as const, platforms: true },
];

describe('round trips through the distribution registry with token auth', () => {
  for (const c of CASES) {
    it(`keeps digests byte-identical for a ${c.name}: layout → registry → layout → registry`, async () => {
      const src = join(dir.path, unique('src'));
      const built = await writeOciLayoutImage(src, {
        format: c.format,
        layerSizes: [1500, 40_000],
        tag: 'v1',
        ...(c.platforms
          ? {
              platforms: [
                { os: 'linux', architecture: 'amd64' },
                { os: 'linux', architecture: 'arm64', variant: 'v8' },
              ],
            }
          : {}),
      });
      const repo = `${env.registry}/${unique('rt')}`;
      const pushed = await copy(client, `oci:${src}:v1`, `${repo}:v1`);
      expect(pushed.images[0]?.digest).toBe(built.root.digest);
      expect(pushed.images[0]?.mediaType).toBe(built.root.mediaType);
      const head = await client.headManifest(`${repo}:v1`);
      expect(head?.digest).toBe(built.root.digest);

      const out = join(dir.path, unique('out'));
      await copy(client, `${repo}:v1`, `oci:${out}`);
      expect(await blobFiles(out)).toEqual(await blobFiles(src));

      const again = `${env.registry}/${unique('rt2')}`;
      const repushed = await copy(client, `oci:${out}:v1`, `${again}:latest`);
      expect(repushed.images[0]?.digest).toBe(built.root.digest);
    });
  }

  it('pulls one platform out of an index, and a subset into a new index', async () => {
    const src = join(dir.path, unique('multi'));
    const built = await writeOciLayoutImage(src, {
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
        { os: 'linux', architecture: 's390x' },
      ],
    });
    const repo = `${env.registry}/${unique('plat')}`;
    await copy(client, `oci:${src}`, `${repo}:multi`);
    const arm = await copy(client, `${repo}:multi`, `oci:${join(dir.path, unique('arm'))}`, {
      platform: 'linux/arm64',
    });
    expect(arm.images[0]?.digest).toBe(built.manifests[1]?.digest);
    const subset = await copy(client, `${repo}:multi`, `${repo}:subset`, {
      platforms: ['linux/amd64', 'linux/s390x'],
    });
    const index = await client.getManifest(`${repo}:subset`);
    const parsed = JSON.parse(index.bytes.toString());
    expect(parsed.manifests.map((m: { digest: string }) => m.digest)).toEqual([
      built.manifests[0]?.digest,
      built.manifests[2]?.digest,
    ]);
    expect(subset.images[0]?.blobs.written).toBe(0);
    await expect(
      copy(client, `${repo}:multi`, `${repo}:x`, { platform: 'windows/amd64' }),
    ).rejects.toMatchObject({
      code: 'AR_REGISTRY_PLATFORM_NOT_FOUND',
    });
  });

  it('writes a docker tar that docker load accepts and reads it back with the same digest', async () => {
    const src = join(dir.path, unique('tarsrc'));
    const built = await writeOciLayoutImage(src, { format: 'docker', layerSizes: [3000], tag: 't' });
    const repo = `${env.registry}/${unique('tar')}`;
    await copy(client, `oci:${src}:t`, `${repo}:t`);
    const tar = join(dir.path, unique('image.tar'));
    await copy(client, `${repo}:t`, `docker-archive:${tar}`);
    const loaded = await runChecked('docker', ['load', '-i', tar], {
      env: { ...process.env, DOCKER_HOST: env.dockerHost },
    });
    expect(loaded.stdout).toContain(`${repo}:t`);
    const back = await copy(client, `docker-archive:${tar}`, `${repo}:from-tar`);
    expect(back.images[0]?.digest).toBe(built.root.digest);
  });

  it('pushes a tar made by docker save (no OCI layout inside) and pulls it back', async () => {
    const repo = `${env.registry}/${unique('dsave')}`;
    const src = join(dir.path, unique('dsrc'));
    await writeOciLayoutImage(src, { format: 'docker', layerSizes: [5000], tag: 't' });
    await copy(client, `oci:${src}:t`, `${repo}:t`);
    const tar = join(dir.path, unique('saved.tar'));
    const dockerEnv = { env: { ...process.env, DOCKER_HOST: env.dockerHost } };
    await runChecked(
      'docker',
      [
        'load',
        '-i',
        await (async () => {
          const t = join(dir.path, unique('l.tar'));
          await copy(client, `${repo}:t`, `docker-archive:${t}`);
          return t;
        })(),
      ],
      dockerEnv,
    );
    await runChecked('docker', ['save', '-o', tar, `${repo}:t`], dockerEnv);
    const pushed = await copy(client, `docker-archive:${tar}`, `${repo}:resaved`);
    const pulled = await copy(client, `${repo}:resaved`, `oci:${join(dir.path, unique('resaved'))}`);
    expect(pulled.images[0]?.digest).toBe(pushed.images[0]?.digest);
    const config = JSON.parse((await client.getManifest(`${repo}:resaved`)).bytes.toString()).config.digest;
    const original = JSON.parse((await client.getManifest(`${repo}:t`)).bytes.toString()).config.digest;
    // The config (the image ID docker reports) survives docker's re-save.
    expect(config).toBe(original);
  });

  it('interoperates with skopeo both ways with identical digests', async () => {
    const src = join(dir.path, unique('sk'));
    const built = await writeOciLayoutImage(src, { layerSizes: [2000], tag: 'v1' });
    const repo = `${env.registry}/${unique('skopeo')}`;
    const login = `${creds.username}:${creds.password}`;
    await runChecked('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      login,
      `oci:${src}:v1`,
      `docker://${repo}:by-skopeo`,
    ]);
    const out = join(dir.path, unique('from-skopeo'));
    const pulled = await copy(client, `${repo}:by-skopeo`, `oci:${out}:v1`);
    expect(pulled.images[0]?.digest).toBe(built.root.digest);
    await copy(client, `oci:${out}:v1`, `${repo}:by-us`);
    const back = join(dir.path, unique('skopeo-out'));
    await runChecked('skopeo', [
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      login,
      `docker://${repo}:by-us`,
      `oci:${back}:v1`,
    ]);
    const index = JSON.parse(await readFile(join(back, 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).toBe(built.root.digest);
  });

  it('paginates tags with n/last and Link', async () => {
    const src = join(dir.path, unique('page'));
    await writeOciLayoutImage(src, { layerSizes: [100], tag: 'x' });
    const repo = `${env.registry}/${unique('pages')}`;
    const tags = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    for (const tag of tags) await copy(client, `oci:${src}:x`, `${repo}:${tag}`);
    const listing = await client.listTags(
      { registry: env.registry, repository: repo.slice(env.registry.length + 1) },
      { pageSize: 2 },
    );
    expect([...listing.tags].sort()).toEqual(tags);
    expect(listing.images).toBeUndefined();
    const images = await client.listImages({
      registry: env.registry,
      repository: repo.slice(env.registry.length + 1),
    });
    expect(images).toHaveLength(1);
    expect([...(images[0]?.tags ?? [])].sort()).toEqual(tags);
  });

  it('lists the catalog', async () => {
    const names = await client.catalog(env.registry, { pageSize: 5 });
    expect(names.length).toBeGreaterThan(0);
  });

  it('mounts blobs when copying within the registry and skips blobs already present', async () => {
    const src = join(dir.path, unique('mount'));
    await writeOciLayoutImage(src, { layerSizes: [10_000, 20_000], tag: 'v1' });
    const a = `${env.registry}/${unique('mount-a')}`;
    const b = `${env.registry}/${unique('mount-b')}`;
    await copy(client, `oci:${src}:v1`, `${a}:v1`);
    const copied = await copy(client, `${a}:v1`, `${b}:v1`);
    expect(copied.images[0]?.blobs).toEqual({ written: 0, mounted: 3, existing: 0 });
    const again = await copy(client, `oci:${src}:v1`, `${b}:v2`);
    expect(again.images[0]?.blobs).toEqual({ written: 0, mounted: 0, existing: 3 });
  });

  it('falls back to an upload when a mount is refused', async () => {
    const src = join(dir.path, unique('refused'));
    const built = await writeOciLayoutImage(src, { layerSizes: [4000], tag: 'v1' });
    const target = { registry: env.registry, repository: unique('refused') };
    const nowhere = { registry: env.registry, repository: unique('empty') };
    const layer = { mediaType: 'application/octet-stream', digest: built.blobs[0] ?? '', size: 0 };
    expect(await client.mountBlob(target, layer.digest, nowhere)).toBe(false);
    const { OciLayoutSource } = await import('../../src/image/oci-layout.js');
    const source = OciLayoutSource.directory(src, { tag: 'v1' });
    const manifest = JSON.parse((await source.root()).bytes.toString());
    const descriptor = manifest.layers[0];
    const result = await client.pushBlob(
      target,
      descriptor,
      { open: () => source.openBlob(descriptor) },
      { mountFrom: nowhere },
    );
    expect(result).toBe('uploaded');
    expect(await client.headBlob(target, descriptor.digest)).toBe(descriptor.size);
  });

  it('copies all tags of a repository', async () => {
    const src = join(dir.path, unique('alltags'));
    await writeOciLayoutImage(src, { layerSizes: [100], tag: 'x' });
    const a = `${env.registry}/${unique('all-a')}`;
    const b = `${env.registry}/${unique('all-b')}`;
    for (const tag of ['one', 'two', 'three']) await copy(client, `oci:${src}:x`, `${a}:${tag}`);
    const result = await copy(client, a, b, { allTags: true });
    expect(result.images.map((i) => i.tags[0]).sort()).toEqual(['one', 'three', 'two']);
    const listing = await client.listTags({
      registry: env.registry,
      repository: b.slice(env.registry.length + 1),
    });
    expect([...listing.tags].sort()).toEqual(['one', 'three', 'two']);
  });

  it('deletes a manifest by digest', async () => {
    const src = join(dir.path, unique('del'));
    const built = await writeOciLayoutImage(src, { layerSizes: [100], tag: 'x' });
    const repo = `${env.registry}/${unique('del')}`;
    await copy(client, `oci:${src}:x`, `${repo}:x`);
    await client.deleteManifest(`${repo}@${built.root.digest}`);
    expect(await client.headManifest(`${repo}@${built.root.digest}`)).toBeUndefined();
    const error = await client.getManifest(`${repo}:x`).catch((e: unknown) => e);
    expect(isArError(error, 'AR_REGISTRY_MANIFEST_NOT_FOUND')).toBe(true);
  });
});
