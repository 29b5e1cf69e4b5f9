import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packTar } from '@ar/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TarTree } from './tar-tree.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ar-tar-tree-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('TarTree', () => {
  it('indexes entries (including pax long names) and reads them in place, in any order', async () => {
    const long = `${'deep/'.repeat(30)}file.txt`;
    const tar = await packTar([
      { name: 'manifest.json', data: '[]' },
      { name: long, data: 'long name' },
      { name: 'empty', data: '' },
      { name: 'big.bin', data: Buffer.alloc(70_000, 7) },
    ]);
    const path = join(dir, 't.tar');
    await writeFile(path, tar);
    const tree = await TarTree.index(path);
    expect((await tree.read(long)).toString()).toBe('long name');
    expect(await tree.size('big.bin')).toBe(70_000);
    const chunks: Buffer[] = [];
    for await (const c of tree.open('big.bin')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(Buffer.alloc(70_000, 7))).toBe(true);
    expect((await tree.head('manifest.json', 1)).toString()).toBe('[');
    expect(await tree.read('empty')).toHaveLength(0);
    expect(await tree.has('./manifest.json')).toBe(true);
    await expect(tree.read('missing')).rejects.toMatchObject({ code: 'AR_REGISTRY_ARCHIVE_INVALID' });
  });

  it('refuses a file that is not a tar', async () => {
    const path = join(dir, 'bad.tar');
    await writeFile(path, Buffer.alloc(1024, 65));
    await expect(TarTree.index(path)).rejects.toMatchObject({ code: 'AR_REGISTRY_ARCHIVE_INVALID' });
  });
});
