import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeOciLayoutImage } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copy } from '../../src/copy.js';
import { credential, env, makeClient, tempDir, unique } from './helpers.js';

const GIB = 1024 * 1024 * 1024;
/** The bound for a 1 GiB image; measured as growth over the test's starting RSS. */
const RSS_BOUND = 200 * 1024 * 1024;

let dir: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await dir?.remove();
});

describe('memory', () => {
  it('pushes and pulls a 1 GiB layer with bounded RSS', { timeout: 600_000 }, async () => {
    const src = join(dir.path, 'big');
    const built = await writeOciLayoutImage(src, { layerSizes: [GIB], tag: 'big' });
    const { provider } = await credential();
    const client = makeClient(provider);
    const repo = `${env.registry}/${unique('big')}`;
    const before = process.memoryUsage.rss();
    const pushed = await copy(client, `oci:${src}:big`, `${repo}:big`);
    expect(pushed.images[0]?.digest).toBe(built.root.digest);
    const out = join(dir.path, 'pulled');
    const pulled = await copy(client, `${repo}:big`, `oci:${out}`);
    expect(pulled.images[0]?.digest).toBe(built.root.digest);
    // maxRSS is the process's high-water mark (KiB): conservative, it can only over-count.
    const peakGrowth = process.resourceUsage().maxRSS * 1024 - before;
    expect(peakGrowth).toBeLessThan(RSS_BOUND);
    const layer = built.blobs[0] ?? '';
    expect((await stat(join(out, 'blobs/sha256', layer.slice(7)))).size).toBeGreaterThan(GIB);
    expect((await readdir(join(out, 'blobs/sha256'))).length).toBe(3);
    await client.close();
  });
});
