import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { buildImageArchive, writeOciLayoutImage } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorFixture, startEmulatorFixture } from '../test/support/emulator-fixture.js';
import type { RegistryClient } from './client.js';
import { copy } from './copy.js';
import { parseManifest } from './manifest.js';
import { MediaType } from './media-types.js';
import { toImageRef } from './reference.js';

let fx: EmulatorFixture;
beforeAll(async () => {
  fx = await startEmulatorFixture();
});
afterAll(async () => {
  await fx?.stop();
});

describe('copy against the emulator', () => {
  it('pushes an OCI layout and pulls it back byte-identical', async () => {
    const layout = join(fx.dir, 'src-layout');
    const built = await writeOciLayoutImage(layout, { layerSizes: [2048, 70_000], tag: 'v1' });
    const client = fx.client(fx.writer);
    const ref = `${fx.host}/my-project/repo/app:v1`;
    const pushed = await copy(client, `oci:${layout}:v1`, ref);
    expect(pushed.images[0]?.digest).toBe(built.root.digest);
    expect(pushed.images[0]?.blobs.written).toBe(3);
    const out = join(fx.dir, 'pulled');
    const pulled = await copy(client, ref, `oci:${out}`);
    expect(pulled.images[0]?.digest).toBe(built.root.digest);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).toBe(built.root.digest);
    expect(index.manifests[0].annotations['org.opencontainers.image.ref.name']).toBe('v1');
    for (const blob of built.blobs) {
      const a = await readFile(join(layout, 'blobs/sha256', blob.slice(7)));
      const b = await readFile(join(out, 'blobs/sha256', blob.slice(7)));
      expect(b.equals(a)).toBe(true);
    }
  });

  /** The image manifest a reference names, and the bytes of each of its layers. */
  async function layersOf(client: RegistryClient, ref: string) {
    const parsed = parseManifest(await client.getManifest(ref));
    if (parsed.kind !== 'image') throw new Error(`${ref} is an index`);
    const repository = toImageRef(ref);
    const layers = await Promise.all(
      parsed.manifest.layers.map(async (layer) => ({
        layer,
        bytes: await buffer(await client.openBlob(repository, layer)),
      })),
    );
    return { config: parsed.manifest.config, layers };
  }

  it('gzips the uncompressed layers of a docker save tar when asked, keeping the image ID', async () => {
    const archive = await buildImageArchive({ randomBytes: 64 * 1024 });
    const tar = join(fx.dir, 'saved.tar');
    await writeFile(tar, archive.tar);
    const client = fx.client(fx.writer);
    const plainRef = `${fx.host}/my-project/repo/saved:plain`;
    const plain = await copy(client, `docker-archive:${tar}`, plainRef);
    const asIs = await layersOf(client, plainRef);
    expect(asIs.layers[0]!.layer.mediaType).toBe(MediaType.dockerLayer);

    const ref = `${fx.host}/my-project/repo/saved:gzip`;
    const pushed = await copy(client, `docker-archive:${tar}`, ref, { compressLayers: true });
    expect(pushed.images[0]!.digest).not.toBe(plain.images[0]!.digest);
    const { config, layers } = await layersOf(client, ref);
    expect(config.digest).toBe(archive.imageId);
    expect(layers[0]!.layer.mediaType).toBe(MediaType.dockerLayerGzip);
    expect(layers[0]!.layer.size).toBe(layers[0]!.bytes.length);
    expect(gunzipSync(layers[0]!.bytes).equals(archive.layer)).toBe(true);

    // The same bytes every time: a second push finds every blob there and names the same manifest.
    const again = await copy(client, `docker-archive:${tar}`, `${fx.host}/my-project/repo/saved:gzip2`, {
      compressLayers: true,
    });
    expect(again.images[0]!.digest).toBe(pushed.images[0]!.digest);
    expect(again.images[0]!.blobs).toEqual({ written: 0, mounted: 0, existing: 2 });
  });

  it('rewrites every child of an index whose layers it compresses, and leaves gzip layers alone', async () => {
    const plainLayout = join(fx.dir, 'plain-index');
    const built = await writeOciLayoutImage(plainLayout, {
      layerSizes: [4096],
      gzipLevel: 'none',
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
      tag: 'v1',
    });
    const client = fx.client(fx.writer);
    const ref = `${fx.host}/my-project/repo/multi:v1`;
    const pushed = await copy(client, `oci:${plainLayout}:v1`, ref, { compressLayers: true });
    expect(pushed.images[0]!.digest).not.toBe(built.root.digest);
    const index = parseManifest(await client.getManifest(ref));
    if (index.kind !== 'index') throw new Error('expected an index');
    expect(index.manifest.manifests.map((m) => m.platform?.architecture)).toEqual(['amd64', 'arm64']);
    for (const child of index.manifest.manifests) {
      const { layers } = await layersOf(client, `${fx.host}/my-project/repo/multi@${child.digest}`);
      expect(layers.map((l) => l.layer.mediaType)).toEqual([MediaType.ociLayerGzip]);
      expect(gunzipSync(layers[0]!.bytes).length).toBeGreaterThan(4096);
    }

    const gzipLayout = join(fx.dir, 'gzip-layout');
    const gzipped = await writeOciLayoutImage(gzipLayout, { layerSizes: [2048], tag: 'v1' });
    const unchanged = await copy(client, `oci:${gzipLayout}:v1`, `${fx.host}/my-project/repo/already:v1`, {
      compressLayers: true,
    });
    expect(unchanged.images[0]!.digest).toBe(gzipped.root.digest);
  });
});
