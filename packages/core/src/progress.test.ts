import { describe, expect, it } from 'vitest';
import { fromEngineProgress, fromRegistryProgress, type TransferProgress } from './progress.js';

describe('one progress vocabulary', () => {
  it('speaks of the engine’s layer steps in the registry client’s states', () => {
    const seen: TransferProgress[] = [];
    const listener = fromEngineProgress((e) => seen.push(e));
    listener({ type: 'status', status: 'The push refers to repository [r.test/app]' });
    listener({ type: 'layer', id: 'a1b2c3d4e5f6', phase: 'preparing', status: 'Preparing' });
    listener({
      type: 'layer',
      id: 'a1b2c3d4e5f6',
      phase: 'pushing',
      status: 'Pushing',
      current: 512,
      total: 2048,
    });
    listener({ type: 'layer', id: 'a1b2c3d4e5f6', phase: 'pushed', status: 'Pushed' });
    listener({ type: 'layer', id: 'b1b2c3d4e5f6', phase: 'exists', status: 'Layer already exists' });
    listener({ type: 'layer', id: 'c1b2c3d4e5f6', phase: 'other', status: 'Something new' });
    listener({ type: 'pushed', tag: '1', digest: `sha256:${'d'.repeat(64)}`, size: 525 });
    listener({ type: 'output', text: 'Loaded image: r.test/app:1' });
    expect(seen).toEqual([
      { type: 'status', message: 'The push refers to repository [r.test/app]' },
      { type: 'layer', id: 'a1b2c3d4e5f6', state: 'waiting', bytes: 0, size: undefined },
      { type: 'layer', id: 'a1b2c3d4e5f6', state: 'transferring', bytes: 512, size: 2048 },
      { type: 'layer', id: 'a1b2c3d4e5f6', state: 'done', bytes: 0, size: undefined },
      { type: 'layer', id: 'b1b2c3d4e5f6', state: 'exists', bytes: 0, size: undefined },
      { type: 'status', message: 'Loaded image: r.test/app:1' },
    ]);
  });

  it('passes the registry client’s blobs and images through, blobs named by digest', () => {
    const seen: TransferProgress[] = [];
    const listener = fromRegistryProgress((e) => seen.push(e));
    const digest = `sha256:${'e'.repeat(64)}`;
    listener({ type: 'blob', digest, mediaType: 'x', size: 10, bytes: 4, state: 'transferring' });
    listener({
      type: 'image',
      digest,
      bytes: 10,
      totalBytes: 10,
      blobsDone: 1,
      blobsTotal: 1,
      state: 'done',
    });
    expect(seen).toEqual([
      { type: 'layer', id: digest, state: 'transferring', bytes: 4, size: 10 },
      { type: 'image', digest, bytes: 10, totalBytes: 10, blobsDone: 1, blobsTotal: 1, state: 'done' },
    ]);
  });
});
