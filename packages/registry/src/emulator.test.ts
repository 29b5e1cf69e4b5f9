import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isArError } from '@ar/errors';
import { startFaultProxy, writeOciLayoutImage } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorFixture, startEmulatorFixture } from '../test/support/emulator-fixture.js';
import { copy } from './copy.js';
import type { ProgressEvent } from './progress.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await startEmulatorFixture();
});
afterAll(async () => {
  await fx?.stop();
});

let n = 0;
async function image(options: Parameters<typeof writeOciLayoutImage>[1] = {}) {
  const path = join(fx.dir, `img-${n++}`);
  return {
    path,
    built: await writeOciLayoutImage(path, { layerSizes: [1000, 5000], tag: 'v1', ...options }),
  };
}

describe('against the emulator (Artifact Registry rules)', () => {
  it('pushes every manifest type with monolithic uploads and keeps digests', async () => {
    const client = fx.client(fx.writer);
    for (const format of ['oci', 'docker'] as const) {
      for (const platforms of [
        undefined,
        [
          { os: 'linux', architecture: 'amd64' },
          { os: 'linux', architecture: 'arm64' },
        ],
      ]) {
        const { path, built } = await image({ format, ...(platforms ? { platforms } : {}) });
        const ref = `${fx.host}/my-project/repo/types-${format}-${platforms ? 'index' : 'image'}:v1`;
        const pushed = await copy(client, `oci:${path}:v1`, ref);
        expect(pushed.images[0]?.digest).toBe(built.root.digest);
        expect((await client.headManifest(ref))?.digest).toBe(built.root.digest);
      }
    }
  });

  it('reports an immutable tag with the tag and the digest it holds', async () => {
    const client = fx.client(fx.writer);
    const first = await image();
    const second = await image();
    const ref = `${fx.host}/my-project/frozen/app:stable`;
    await copy(client, `oci:${first.path}:v1`, ref);
    // Same digest again is fine.
    await copy(client, `oci:${first.path}:v1`, ref);
    const error = await copy(client, `oci:${second.path}:v1`, ref).catch((e: unknown) => e);
    expect(isArError(error, 'AR_REGISTRY_TAG_IMMUTABLE')).toBe(true);
    expect((error as Error).message).toContain('"stable"');
    expect((error as Error).message).toContain(first.built.root.digest);
    expect((error as Error).message).toContain('Push under a new tag');
    expect((await client.headManifest(ref))?.digest).toBe(first.built.root.digest);
  });

  it('refuses a push without the writer role, naming the role', async () => {
    const client = fx.client(fx.reader);
    const { path } = await image();
    const error = await copy(client, `oci:${path}:v1`, `${fx.host}/my-project/repo/denied:v1`).catch(
      (e: unknown) => e,
    );
    expect(isArError(error, 'AR_REGISTRY_DENIED')).toBe(true);
    expect((error as Error).message).toContain('roles/artifactregistry.writer');
  });

  it('lists images with the Google extension: digests, tags, sizes, media types, times', async () => {
    const client = fx.client(fx.writer);
    const { path, built } = await image();
    const repo = { registry: fx.host, repository: 'my-project/repo/listed' };
    await copy(client, `oci:${path}:v1`, `${fx.host}/${repo.repository}:v1`);
    await copy(client, `oci:${path}:v1`, `${fx.host}/${repo.repository}:also`);
    const listing = await client.listTags(repo);
    expect([...listing.tags].sort()).toEqual(['also', 'v1']);
    const images = await client.listImages(repo);
    expect(images).toHaveLength(1);
    const summary = images[0];
    expect(summary?.digest).toBe(built.root.digest);
    expect([...(summary?.tags ?? [])].sort()).toEqual(['also', 'v1']);
    expect(summary?.mediaType).toBe(built.root.mediaType);
    expect(summary?.sizeBytes).toBeGreaterThan(6000);
    expect(summary?.created).toBeInstanceOf(Date);
    expect(summary?.uploaded).toBeInstanceOf(Date);
  });

  it('writes and reads a docker tar with the same digest, and emits progress per blob and image', async () => {
    const client = fx.client(fx.writer);
    const { path, built } = await image({ format: 'docker' });
    const ref = `${fx.host}/my-project/repo/tarred:v1`;
    await copy(client, `oci:${path}:v1`, ref);
    const tar = join(fx.dir, 'image.tar');
    const events: ProgressEvent[] = [];
    await copy(client, ref, `docker-archive:${tar}`, { onProgress: (e) => events.push(e) });
    const doneBlobs = events.filter((e) => e.type === 'blob' && e.state === 'done').map((e) => e.digest);
    expect(doneBlobs.sort()).toEqual([...built.blobs].sort());
    const last = events.at(-1);
    expect(last).toMatchObject({
      type: 'image',
      state: 'done',
      blobsDone: 3,
      blobsTotal: 3,
      bytes: built.totalBytes,
    });
    const back = await copy(client, `docker-archive:${tar}`, `${fx.host}/my-project/repo/untarred:v1`);
    expect(back.images[0]?.digest).toBe(built.root.digest);
    const out = join(fx.dir, 'from-tar');
    await copy(client, `docker-archive:${tar}`, `oci:${out}:v1`);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).toBe(built.root.digest);
  });

  it('adds a tag to an existing layout atomically, keeping the other entries', async () => {
    const client = fx.client(fx.writer);
    const a = await image();
    const b = await image();
    await copy(client, `oci:${a.path}:v1`, `${fx.host}/my-project/repo/layout-a:v1`);
    await copy(client, `oci:${b.path}:v1`, `${fx.host}/my-project/repo/layout-b:v1`);
    const out = join(fx.dir, 'shared-layout');
    await copy(client, `${fx.host}/my-project/repo/layout-a:v1`, `oci:${out}:a`);
    await copy(client, `${fx.host}/my-project/repo/layout-b:v1`, `oci:${out}:b`);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8'));
    expect(index.manifests.map((m: { digest: string }) => m.digest)).toEqual([
      a.built.root.digest,
      b.built.root.digest,
    ]);
    expect((await readdir(out)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('leaves nothing behind when a copy fails half-way', async () => {
    const client = fx.client(fx.writer);
    const { path, built } = await image({ layerSizes: [1000, 2000, 3000] });
    // Break one layer on disk (right size, wrong bytes): the copy must fail and write nothing.
    const victim = join(path, 'blobs/sha256', (built.blobs[1] ?? '').slice(7));
    const bytes = await readFile(victim);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    await writeFile(victim, bytes);
    const out = join(fx.dir, 'never-layout');
    const error = await copy(client, `oci:${path}:v1`, `oci:${out}`).catch((e: unknown) => e);
    expect(isArError(error, 'AR_REGISTRY_DIGEST_MISMATCH')).toBe(true);
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
    const tar = join(fx.dir, 'never.tar');
    const tarError = await copy(client, `oci:${path}:v1`, `docker-archive:${tar}`).catch((e: unknown) => e);
    expect(isArError(tarError, 'AR_REGISTRY_DIGEST_MISMATCH')).toBe(true);
    await expect(stat(tar)).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await readdir(fx.dir)).filter((f) => f.includes('ar-tmp'))).toEqual([]);
    // The registry verifies the digest itself and refuses the upload; no tag appears.
    const ref = `${fx.host}/my-project/repo/broken:v1`;
    await expect(copy(client, `oci:${path}:v1`, ref)).rejects.toMatchObject({
      code: 'AR_REGISTRY_DIGEST_MISMATCH',
    });
    expect(await client.headManifest(ref)).toBeUndefined();
  });

  it('paginates tags (merging the Google extension across pages) and mounts within the registry', async () => {
    const client = fx.client(fx.writer);
    const { path, built } = await image();
    const repo = { registry: fx.host, repository: 'my-project/repo/paged' };
    const tags = ['t1', 't2', 't3', 't4', 't5'];
    for (const tag of tags) await copy(client, `oci:${path}:v1`, `${fx.host}/${repo.repository}:${tag}`);
    const listing = await client.listTags(repo, { pageSize: 2 });
    expect([...listing.tags].sort()).toEqual(tags);
    expect(listing.images?.map((i) => i.digest)).toEqual([built.root.digest]);
    // Images of one AR repository share its blobs: the mount succeeds at once, nothing moves.
    const within = await copy(
      client,
      `${fx.host}/${repo.repository}:t1`,
      `${fx.host}/my-project/repo/other:t1`,
    );
    expect(within.images[0]?.blobs).toEqual({ written: 0, mounted: 3, existing: 0 });
    expect(within.images[0]?.bytes).toBe(0);
    // Another AR repository: blobs are mounted, not uploaded.
    const across = await copy(
      client,
      `${fx.host}/${repo.repository}:t1`,
      `${fx.host}/my-project/frozen/mounted:t1`,
    );
    expect(across.images[0]?.blobs).toEqual({ written: 0, mounted: 3, existing: 0 });
  });

  it('completes a push and pull through injected 503, 429 and cut connections, with identical digests', async () => {
    const proxy = await startFaultProxy({ target: fx.emulator.url() });
    try {
      const client = fx.client(fx.writer);
      const { path, built } = await image({ layerSizes: [200_000, 3000] });
      proxy.inject(
        { method: 'POST', fault: { kind: 'status', status: 503 } },
        { method: 'HEAD', fault: { kind: 'status', status: 429, retryAfter: 0 } },
        { method: 'PUT', path: /\/blobs\/uploads\//, fault: { kind: 'drop-request', afterBytes: 50_000 } },
        {
          method: 'GET',
          path: new RegExp(`/blobs/${built.blobs[0]}$`),
          fault: { kind: 'drop-response', afterBytes: 70_000 },
        },
      );
      const ref = `${proxy.host}/my-project/repo/faulty:v1`;
      expect((await copy(client, `oci:${path}:v1`, ref)).images[0]?.digest).toBe(built.root.digest);
      const pulled = await copy(client, ref, `oci:${join(fx.dir, 'faulty-out')}`);
      expect(pulled.images[0]?.digest).toBe(built.root.digest);
      expect(proxy.pending()).toBe(0);
    } finally {
      await proxy.stop();
    }
  });
});
