import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeOciLayoutImage } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorFixture, startEmulatorFixture } from '../test/support/emulator-fixture.js';
import { copy } from './copy.js';

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
});
