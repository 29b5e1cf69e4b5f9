import tarStream from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { buildImageArchive, sha256Digest } from './image-archive.js';

async function entries(tar: Buffer): Promise<Map<string, Buffer>> {
  const extract = tarStream.extract();
  const files = new Map<string, Buffer>();
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      files.set(entry.header.name, Buffer.concat(chunks));
    }
  })();
  extract.end(tar);
  await done;
  return files;
}

describe('buildImageArchive', () => {
  it('builds a docker save tarball whose digests match its content', async () => {
    const archive = await buildImageArchive({
      randomBytes: 300,
      repoTags: ['e2e/hello:1'],
      labels: { a: 'b' },
    });
    const files = await entries(archive.tar);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    const configName = `${archive.imageId.slice(7)}.json`;
    const layerName = `${archive.diffId.slice(7)}/layer.tar`;
    expect(manifest).toEqual([{ Config: configName, RepoTags: ['e2e/hello:1'], Layers: [layerName] }]);
    expect(sha256Digest(files.get(configName)!)).toBe(archive.imageId);
    expect(sha256Digest(files.get(layerName)!)).toBe(archive.diffId);

    const config = JSON.parse(archive.config);
    expect(config).toMatchObject({
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [archive.diffId] },
      config: { Labels: { a: 'b' } },
    });
    const layer = await entries(archive.layer);
    expect([...layer.keys()]).toEqual(['random.bin']);
    expect(layer.get('random.bin')).toHaveLength(300);
  });

  it('gives a distinct image each time, unless the files are given', async () => {
    const [one, two] = await Promise.all([buildImageArchive(), buildImageArchive()]);
    expect(one.imageId).not.toBe(two.imageId);
    const created = new Date('2024-01-01T00:00:00Z');
    const files = [{ name: 'hello.txt', data: 'hello\n' }];
    const [three, four] = await Promise.all([
      buildImageArchive({ files, created }),
      buildImageArchive({ files, created }),
    ]);
    expect(three.imageId).toBe(four.imageId);
    expect(three.manifest).toContain('"RepoTags":null');
  });
});
