import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceAccountKeyFile } from '../../src/index.js';
import { standardSeed } from '../../src/testing/fixture.js';
import { makeImage, RegistryClient, sha256 } from '../../src/testing/registry-client.js';
import { type RunningBin, startBin } from './support.js';

/**
 * The built bin as a separate process: killed with SIGKILL mid-upload and mid-push-storm,
 * restarted over the same data dir, and made to move a 1 GiB blob while its memory is watched.
 */
describe('gar-emulator process: crashes and big blobs', () => {
  let work: string;
  let seedPath: string;
  let running: RunningBin | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'ar-emulator-durability-'));
    const seed = standardSeed();
    seed.projects![0]!.serviceAccounts = [{ id: 'pusher', keyFile: 'pusher.json' }];
    seedPath = join(work, 'seed.json');
    await writeFile(seedPath, JSON.stringify(seed));
  });
  afterAll(async () => {
    await running?.kill('SIGTERM');
    await rm(work, { recursive: true, force: true });
  });

  async function boot(dataDir: string, name: string): Promise<{ bin: RunningBin; client: RegistryClient }> {
    const bin = await startBin(['--data-dir', dataDir, '--seed', seedPath], join(work, `${name}.ready.json`));
    running = bin;
    const key = JSON.parse(await readFile(join(work, 'pusher.json'), 'utf8')) as ServiceAccountKeyFile;
    return {
      bin,
      client: new RegistryClient(bin.url, { username: '_json_key', password: JSON.stringify(key) }),
    };
  }

  /** Every tag of an image resolves to a manifest whose blobs are all there, whole. */
  async function checkWhole(client: RegistryClient, name: string): Promise<number> {
    const list = (await (await client.request(`/v2/${name}/tags/list`)).json()) as { tags: string[] };
    for (const tag of list.tags) {
      const manifest = await client.request(`/v2/${name}/manifests/${tag}`);
      expect(manifest.status).toBe(200);
      const body = Buffer.from(await manifest.arrayBuffer());
      expect(sha256(body)).toBe(manifest.headers.get('docker-content-digest'));
      const parsed = JSON.parse(body.toString()) as {
        config: { digest: string };
        layers: Array<{ digest: string }>;
      };
      for (const { digest } of [parsed.config, ...parsed.layers]) {
        const blob = await client.request(`/v2/${name}/blobs/${digest}`);
        expect(sha256(Buffer.from(await blob.arrayBuffer()))).toBe(digest);
      }
    }
    return list.tags.length;
  }

  it('restarts after kill -9 mid-upload and mid-push with only whole content visible', async () => {
    const dataDir = join(work, 'crash-data');
    let { bin, client } = await boot(dataDir, 'first');
    const kept = makeImage({ layerSizes: [100_000] });
    expect((await client.pushImage('my-project/repo/kept', kept, 'v1')).status).toBe(201);

    // Kill while a blob streams in: wait until its temp file holds data, then SIGKILL.
    const opened = await client.request('/v2/my-project/repo/cut/blobs/uploads/', { method: 'POST' });
    const location = opened.headers.get('location')!;
    async function* endless() {
      for (;;) yield Buffer.alloc(1 << 20, 1);
    }
    let settled: string | undefined;
    const upload = client.stream(`${location}?digest=${sha256('whatever')}`, 'PUT', endless()).then(
      (response) => {
        settled = `answered ${response.status}: ${response.text}`;
        return settled;
      },
      () => {
        settled = 'cut';
        return settled;
      },
    );
    const tmp = join(dataDir, 'tmp');
    const deadline = Date.now() + 60_000;
    for (;;) {
      expect(settled).toBeUndefined();
      expect(Date.now(), 'the upload never reached 4 MiB on disk').toBeLessThan(deadline);
      const files = await readdir(tmp);
      const sizes = await Promise.all(
        files.map((file) =>
          stat(join(tmp, file)).then(
            (s) => s.size,
            () => 0,
          ),
        ),
      );
      if (sizes.some((size) => size > 4 << 20)) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await bin.kill('SIGKILL');
    expect(await upload).toBe('cut');

    // Kill in the middle of a storm of small pushes, wherever each one is.
    ({ bin, client } = await boot(dataDir, 'second'));
    const storm = Array.from({ length: 12 }, (_, index) =>
      client
        .pushImage('my-project/repo/storm', makeImage({ layerSizes: [20_000, 5_000] }), `t${index}`)
        .catch(() => undefined),
    );
    await storm[2];
    await bin.kill('SIGKILL');
    await Promise.all(storm);

    ({ bin, client } = await boot(dataDir, 'third'));
    expect(await readdir(tmp)).toEqual([]);
    const manifest = await client.request('/v2/my-project/repo/kept/manifests/v1');
    expect(manifest.headers.get('docker-content-digest')).toBe(kept.digest);
    expect(await checkWhole(client, 'my-project/repo/kept')).toBe(1);
    expect(await checkWhole(client, 'my-project/repo/storm')).toBeGreaterThanOrEqual(1);
    await bin.kill('SIGTERM');
    running = undefined;
  }, 180_000);

  it('moves a 1 GiB blob in and out with flat memory', async () => {
    // A new data dir is a new emulator: the key file the seed names still holds the key of the
    // previous test's emulator (its data dir outlives it), which this one refuses to overwrite.
    await rm(join(work, 'pusher.json'), { force: true });
    const { bin, client } = await boot(join(work, 'big-data'), 'big');
    const size = 1 << 30;
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
    const hash = createHash('sha256');
    async function* blocks() {
      // A different block each time (first word = its index), generated, never held whole.
      for (let index = 0; index < size / block.length; index++) {
        const piece = Buffer.from(block);
        piece.writeUInt32LE(index, 0);
        hash.update(piece);
        yield piece;
      }
    }
    const opened = await client.request('/v2/my-project/repo/big/blobs/uploads/', { method: 'POST' });
    const location = opened.headers.get('location')!;
    const patched = await client.stream(location, 'PATCH', blocks());
    expect(patched.status).toBe(202);
    const digest = `sha256:${hash.digest('hex')}`;
    expect((await client.request(`${location}?digest=${digest}`, { method: 'PUT' })).status).toBe(201);

    const response = await client.request(`/v2/my-project/repo/big/blobs/${digest}`);
    expect(response.headers.get('content-length')).toBe(String(size));
    const back = createHash('sha256');
    for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>) back.update(piece);
    expect(`sha256:${back.digest('hex')}`).toBe(digest);
    const peak = await bin.peakRss();
    expect(peak).toBeLessThan(200 * 1024 * 1024);
    await bin.kill('SIGTERM');
    running = undefined;
  }, 240_000);
});
